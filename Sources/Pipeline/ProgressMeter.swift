import Foundation

/// The progress line of the reading stage on a terminal: files and rows done, throughput and
/// the time left, estimated from the bytes read so far. Shown at most every `interval` seconds,
/// so thousands of small files do not flood the terminal.
struct ProgressMeter {
    let filesTotal: Int
    let bytesTotal: Int
    let interval: Double
    private(set) var files = 0
    private(set) var rows = 0
    private(set) var bytes = 0
    private var lastShown = -Double.infinity

    init(filesTotal: Int, bytesTotal: Int, interval: Double = 0.2) {
        self.filesTotal = filesTotal
        self.bytesTotal = bytesTotal
        self.interval = interval
    }

    /// Counts a finished file; returns the line to show, or nil when the last one is recent.
    /// `elapsed` is the seconds since the stage began.
    mutating func fileDone(bytes fileBytes: Int, rows fileRows: Int, elapsed: Double) -> String? {
        files += 1
        rows += fileRows
        bytes += fileBytes
        guard elapsed - lastShown >= interval || files == filesTotal else { return nil }
        lastShown = elapsed
        return line(elapsed: elapsed)
    }

    /// `reading 1200/6760 files, 345678 rows, 12.5 MB/s, about 0:42 left`.
    func line(elapsed: Double) -> String {
        let seconds = max(elapsed, 0.001)
        var text = "reading \(files)/\(filesTotal) files, \(rows) rows, "
            + String(format: "%.1f MB/s", Double(bytes) / 1e6 / seconds)
        if let left = ProgressMeter.secondsLeft(done: bytes, total: bytesTotal, elapsed: seconds) {
            text += ", about \(ProgressMeter.clock(left)) left"
        }
        return text
    }

    /// Time left at the rate so far; nil before anything is done.
    static func secondsLeft(done: Int, total: Int, elapsed: Double) -> Double? {
        guard done > 0, total >= done else { return nil }
        return elapsed * Double(total - done) / Double(done)
    }

    /// `m:ss`, or `h:mm:ss` from an hour.
    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
            : String(format: "%d:%02d", s / 60, s % 60)
    }
}
