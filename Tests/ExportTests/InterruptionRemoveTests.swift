import Foundation
import Testing
@testable import Export

/// On a signal the staging folder is removed while the run's writer threads may still be
/// making files in it (`Interruption.remove`): nothing of it may be left.
@Suite struct InterruptionRemoveTests {
    static func folder() throws -> String {
        let path = NSTemporaryDirectory() + "pws-interruption-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        try FileManager.default.createDirectory(atPath: path + "/pws", withIntermediateDirectories: true)
        for k in 0..<200 { FileManager.default.createFile(atPath: path + "/pws/t\(k).csv", contents: Data("x".utf8)) }
        return path
    }

    /// A staging folder with files and a subfolder goes, renamed copy included.
    @Test func removesTheFolderAndItsContents() throws {
        let path = try Self.folder()
        FileManager.default.createFile(atPath: path + "/rejects.csv", contents: Data("a,b\n".utf8))
        Interruption.remove(path)
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(!FileManager.default.fileExists(atPath: path + ".stopped"))
    }

    /// A thread keeps making files in the folder by path (as the workbook and indicators.csv
    /// threads do) while it is removed: 20 rounds, none may leave the folder behind. Removing
    /// it in place (the code before) left it whenever a file appeared between the listing and
    /// the `rmdir`.
    @Test func removesTheFolderWhileAThreadWritesIntoIt() throws {
        var left: [String] = []
        for _ in 0..<20 {
            let path = try Self.folder()
            let stop = WriterStop()
            let writer = Thread {
                var k = 0
                while !stop.isSet {
                    FileManager.default.createFile(atPath: path + "/pws/w\(k).csv", contents: Data("y".utf8))
                    FileManager.default.createFile(atPath: path + "/w\(k).csv", contents: Data("y".utf8))
                    k += 1
                }
                stop.done()
            }
            writer.start()
            usleep(2_000)
            Interruption.remove(path)
            stop.set()
            stop.waitDone()
            for p in [path, path + ".stopped"] where FileManager.default.fileExists(atPath: p) {
                left.append(p)
                try? FileManager.default.removeItem(atPath: p)
            }
        }
        #expect(left.isEmpty, "left behind: \(left)")
    }
}

/// A stop flag and a done signal between the test and its writer thread.
final class WriterStop: @unchecked Sendable {
    private let condition = NSCondition()
    private var stopped = false, finished = false
    var isSet: Bool { condition.lock(); defer { condition.unlock() }; return stopped }
    func set() { condition.lock(); stopped = true; condition.unlock() }
    func done() { condition.lock(); finished = true; condition.broadcast(); condition.unlock() }
    func waitDone() { condition.lock(); while !finished { condition.wait() }; condition.unlock() }
}
