import Aggregate
import Foundation
import CSV
import PWSCore
import PWSTestSupport
import Testing
@testable import Export

/// `indicators.csv` written by worker threads in blocks (`IndicatorsCSVParallelWriter`): the same
/// bytes as the single-threaded `IndicatorsCSVWriter`, in every dialect, for any number of
/// workers and any block size.
@Suite struct IndicatorsCSVParallelTests {
    static let services = ServiceCatalogue(["ANC", "TIMBANG", "IMUN"].map {
        ServiceDefinition(code: $0, name: $0, cluster: "test", sex: nil, age: nil, result: .none)
    })

    static func filter(_ code: String) -> RecordFilter {
        var f = RecordFilter()
        f.services = [services.index(of: code)!]
        return f
    }

    /// Four indicators: lifetime with a target group, monthly with a group, one whose
    /// denominator is another indicator, one with neither target nor group; the ids need the
    /// formula guard and quoting.
    static let indicators = [
        IndicatorDefinition(id: "K1", name: "K1", subject: .person, scope: .lifetime,
                            rule: .first(filter("ANC"), firstVisitTrimesters: nil, attainOnSubjectStart: false),
                            targetGroup: "bumil", denominatorIndicator: nil, targetHundredths: 9500),
        IndicatorDefinition(id: "D_S", name: "D/S", subject: .person, scope: .monthly,
                            rule: .monthlyPresence(filter("TIMBANG")), targetGroup: "balita",
                            denominatorIndicator: nil, targetHundredths: 8000),
        IndicatorDefinition(id: "-N;D,\"x\"", name: "N/D", subject: .person, scope: .monthly,
                            rule: .monthlyPresence(filter("IMUN")), targetGroup: nil, denominatorIndicator: "D_S",
                            targetHundredths: 5000),
        IndicatorDefinition(id: "IMUN", name: "imun", subject: .person, scope: .year,
                            rule: .first(filter("IMUN"), firstVisitTrimesters: nil, attainOnSubjectStart: false),
                            targetGroup: nil, denominatorIndicator: nil, targetHundredths: nil),
    ]

    /// World's register plus a kecamatan whose names need every quoting rule (`;`, `,`, `"`, a
    /// newline, a formula mark), RW/RT labels that do too, `extraRTs` more RTs to make the file
    /// large, decimal denominators (a sasaran and unrounded estimates), and services in five months. As of May 2025: 5 months of rows.
    static func values(indicators: [IndicatorDefinition] = indicators, extraRTs: Int = 0) -> IndicatorValues {
        var w = World(services: services, indicators: indicators)
        let odd = w.register.addVillage(Village(
            code: "3201032001", name: "Suka;maju, \"Kidul\"\nBaru", districtName: "=Kec. \"Tiga\"; Barat",
            regencyName: "Kab. Contoh", puskesmasCode: "PKM;03", puskesmasName: "Puskesmas\r\nTiga, \"Lama\""))
        _ = w.register.addRT(RTArea(village: odd, rw: "0\"1", rt: "a;b", population: 300, registered: true))
        _ = w.register.addRT(RTArea(village: odd, rw: "002", rt: "x,\ny", population: 200, registered: true))
        for k in 0..<extraRTs {
            _ = w.register.addRT(RTArea(village: odd, rw: String(format: "%03d", 100 + k / 50),
                                        rt: String(format: "%03d", k % 50), population: ExactDecimal(10 + k), registered: true))
        }
        w.target("bumil", World.v1, 40)
        w.target("balita", World.v1, 25)
        w.target("balita", "3201032001", ExactDecimal("12.375")!)   // printed 12.38 (spec §A1)
        // Unrounded estimates (bumil 0.0176 × population): decimal denominators in most rows.
        w.estimation = EstimationSettings(enabled: true, cbrPer1000: "16", shares: ["balita": "0.08"], round: false)
        for m in 1...5 {
            for p in 0..<(m + 2) {
                w.add("TIMBANG", "balita\(p)", "2025-0\(m)-1\(p % 9)", born: "2023-01-01",
                      rt: p % 2 == 0 ? World.rt1 : "3201032001-0\"1-a;b")
                if p % 3 == 0 { w.add("IMUN", "balita\(p)", "2025-0\(m)-05", born: "2023-01-01", rt: World.rt4) }
            }
            w.add("ANC", "ibu\(m)", "2025-0\(m)-07", born: "1995-01-01", rt: m % 2 == 0 ? World.rt2 : "3201032001-002-x,\ny")
        }
        return w.run(asOf: "2025-05").values
    }

    static let small = values()
    static let large = values(extraRTs: 1500)

    static func temporaryPath() -> String { NSTemporaryDirectory() + "pws-indicators-par-\(UUID().uuidString).csv" }

    /// The single-threaded writer fed `forEach`, as a run wrote the file before.
    static func reference(_ values: IndicatorValues, format: OutputFormat) throws -> (bytes: [UInt8], rows: Int) {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try IndicatorsCSVWriter(path: path, format: format, year: values.year, areas: values.areas,
                                             indicators: values.indicators)
        try values.forEach { try writer.write($0) }
        try writer.close()
        return (Array(try Data(contentsOf: URL(fileURLWithPath: path))), writer.rows)
    }

    /// The parallel writer's file and outcome.
    static func parallel(_ values: IndicatorValues, format: OutputFormat, workers: Int, rowsPerBlock: Int,
                         afterFormatting: (@Sendable (Int) -> Void)? = nil) throws
        -> (bytes: [UInt8], written: IndicatorsCSVWritten, file: (hex: String, bytes: Int), peak: Int, window: Int) {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try IndicatorsCSVParallelWriter(values: values, path: path, format: format, workers: workers,
                                                     rowsPerBlock: rowsPerBlock, afterFormatting: afterFormatting)
        let written = try writer.finish()
        return (Array(try Data(contentsOf: URL(fileURLWithPath: path))), written, try FileDigest.sha256(path: path),
                writer.peakBlocksInFlight, writer.window)
    }

    /// Where two files first differ, with a little context (nil when they are equal): a
    /// readable failure instead of megabytes of byte values.
    static func difference(_ a: [UInt8], _ b: [UInt8]) -> String? {
        guard a != b else { return nil }
        let k = zip(a, b).enumerated().first { $1.0 != $1.1 }?.offset ?? min(a.count, b.count)
        func around(_ x: [UInt8]) -> String { String(decoding: x[max(0, k - 60)..<min(x.count, k + 60)], as: UTF8.self) }
        return "sizes \(a.count) and \(b.count), first difference at byte \(k):\n\(around(a))\n---\n\(around(b))"
    }

    /// The test data exercises what it should: quoted cells in both dialects, several months.
    @Test func tableHoldsQuotedCellsAndSeveralMonths() throws {
        #expect(Self.small.asOfMonth == 5)
        #expect(Self.small.rowCount > 300)
        let text = String(decoding: try Self.reference(Self.small, format: .standard).bytes, as: UTF8.self)
        #expect(text.contains("\"Suka;maju, \"\"Kidul\"\"\nBaru\""))
        #expect(text.contains("\"'=Kec. \"\"Tiga\"\"; Barat\""))
        #expect(text.contains("\"Puskesmas\r\nTiga, \"\"Lama\"\"\""))
        #expect(text.contains("\"'-N;D,\"\"x\"\"\""))
        let excel = String(decoding: try Self.reference(Self.small, format: .excel).bytes, as: UTF8.self)
        #expect(excel.contains("\"PKM;03\""))
        #expect(excel.contains(";\"3201032001-002-x,\ny\";"))
        // Decimal denominators, rounded to 2 places for print: 12.375 → 12.38; RT 001-001 of
        // Sukamaju: 400 × 0.0176 = 7.04 (bumil, unrounded estimate).
        #expect(text.contains(",12.38,sasaran,"))
        #expect(text.contains(",7.04,estimate,"))
        #expect(excel.contains(";12,38;sasaran;"))
        #expect(excel.contains(";7,04;estimate;"))
    }

    /// Rows per block 1 (one (month, area) per block: hundreds of blocks), a prime, and the
    /// default (one block); workers 1, 2, 3, 7.
    @Test(arguments: [OutputFormat.standard, .excel], [1, 2, 3, 7])
    func bytesEqualTheSingleThreadedWriter(format: OutputFormat, workers: Int) throws {
        let reference = try Self.reference(Self.small, format: format)
        for rowsPerBlock in [1, 37, IndicatorsCSVParallelWriter.defaultRowsPerBlock] {
            let out = try Self.parallel(Self.small, format: format, workers: workers, rowsPerBlock: rowsPerBlock)
            #expect(Self.difference(out.bytes, reference.bytes) == nil, "workers \(workers), rows per block \(rowsPerBlock)")
            #expect(out.written.rows == reference.rows)
            #expect(out.written.rows == Self.small.rowCount)
            #expect(out.written.sha256 == out.file.hex)
            #expect(out.written.bytes == out.file.bytes)
            #expect(out.peak <= out.window)
        }
    }

    /// A file of a few MB: one block larger than the file writer's 256 KiB buffer goes to the
    /// file whole, blocks of ~100 KB through the buffer; the digest taken on the way is the file's.
    @Test(arguments: [OutputFormat.standard, .excel], [(2, 50_000), (3, 1_000)])
    func largeFileDigestAndBytes(format: OutputFormat, split: (workers: Int, rowsPerBlock: Int)) throws {
        let reference = try Self.reference(Self.large, format: format)
        #expect(reference.bytes.count > 2 << 20)
        let out = try Self.parallel(Self.large, format: format, workers: split.workers, rowsPerBlock: split.rowsPerBlock)
        #expect(Self.difference(out.bytes, reference.bytes) == nil)
        #expect(out.written == IndicatorsCSVWritten(rows: Self.large.rowCount, sha256: out.file.hex,
                                                    bytes: reference.bytes.count))
        if format == .excel { #expect(Array(out.bytes.prefix(3)) == [0xEF, 0xBB, 0xBF]) }
    }

    /// Blocks finished out of order — the first ones last — are still written in order, and no
    /// more than the window is ever claimed ahead of the writer.
    @Test(arguments: [2, 7])
    func blocksFinishedOutOfOrderAreWrittenInOrder(workers: Int) throws {
        let reference = try Self.reference(Self.small, format: .standard)
        let out = try Self.parallel(Self.small, format: .standard, workers: workers, rowsPerBlock: 8) { b in
            // Every block of a window's first half waits, so the later ones overtake it.
            if b % (2 * workers + 2) < workers { usleep(2_000) }
        }
        #expect(Self.difference(out.bytes, reference.bytes) == nil)
        #expect(out.peak <= out.window)
        #expect(out.peak > 1)
    }

    /// While the first block is slow, the other workers run ahead only as far as the window:
    /// the memory held does not grow with the file. (With one worker nobody runs ahead.)
    @Test(arguments: [2, 3, 7])
    func workersRunAheadNoFurtherThanTheWindow(workers: Int) throws {
        let reference = try Self.reference(Self.small, format: .excel)
        #expect(Self.small.asOfMonth * Self.small.order.count > 3 * (2 * workers + 2))
        // Block 0 waits until the others have filled the window (a block is claimed before
        // it is formatted), or 10 s at most, so the peak does not depend on the machine's load.
        let others = Counter()
        let window = 2 * workers + 2
        let out = try Self.parallel(Self.small, format: .excel, workers: workers, rowsPerBlock: 1) { b in
            guard b == 0 else { return others.add() }
            for _ in 0..<10_000 where others.value < window - 1 { usleep(1_000) }
        }
        #expect(Self.difference(out.bytes, reference.bytes) == nil)
        #expect(out.window == 2 * workers + 2)
        #expect(out.peak == out.window)
    }

    /// The comparison above catches a writer that puts a block in the wrong place: the blocks,
    /// formatted one by one as the plan cuts them, rebuild the file in plan order and give
    /// different bytes with two neighbours swapped.
    @Test(arguments: [OutputFormat.standard, .excel])
    func reorderedBlocksWouldBeCaught(format: OutputFormat) throws {
        let values = Self.small
        let reference = try Self.reference(values, format: format).bytes
        let plan = IndicatorBlockPlan(months: values.asOfMonth, areas: values.order.count,
                                      indicators: values.indicators.count, rowsPerBlock: 8)
        #expect(plan.count > 10)
        let formatter = IndicatorRowFormatter(cells: IndicatorCells(areas: values.areas, indicators: values.indicators),
                                              year: values.year, format: format)
        var blocks: [[UInt8]] = []
        for b in 0..<plan.count {
            var options = format.writeOptions
            options.bom = false
            let memory = CSVWriter(options: options)
            _ = try plan.format(b, of: values, with: formatter, into: memory)
            blocks.append(memory.take())
        }
        let header = (format.bom ? [0xEF, 0xBB, 0xBF] : []) + CSVWriter.encodeRow(IndicatorsCSV.header,
                                                                                  options: format.writeOptions)
        #expect(Self.difference(header + blocks.joined(), reference) == nil)
        for b in [0, plan.count / 2, plan.count - 2] {
            var swapped = blocks
            swapped.swapAt(b, b + 1)
            #expect(Self.difference(header + swapped.joined(), reference) != nil,
                    "blocks \(b) and \(b + 1) swapped unnoticed")
        }
    }

    /// No indicator, so no row: the header alone (after the BOM in Excel format).
    @Test(arguments: [OutputFormat.standard, .excel], [1, 3])
    func emptyTableWritesTheHeaderOnly(format: OutputFormat, workers: Int) throws {
        let empty = Self.values(indicators: [])
        #expect(empty.rowCount == 0)
        let out = try Self.parallel(empty, format: format, workers: workers, rowsPerBlock: 1)
        let header = CSVWriter.encodeRow(IndicatorsCSV.header, options: format.writeOptions)
        #expect(out.bytes == (format.bom ? [0xEF, 0xBB, 0xBF] : []) + header)
        let reference = try Self.reference(empty, format: format)
        #expect(Self.difference(out.bytes, reference.bytes) == nil)
        #expect(out.written.rows == 0)
        #expect(out.written.sha256 == out.file.hex)
    }

    @Test func unwritablePathThrowsOutputNotWritable() {
        let path = NSTemporaryDirectory() + "pws-no-such-folder-\(UUID().uuidString)/indicators.csv"
        #expect { _ = try IndicatorsCSVParallelWriter(values: Self.small, path: path, format: .standard) } throws: {
            ($0 as? PWSError)?.code == .outputNotWritable
        }
    }

    /// A full disk (`/dev/full`: every write fails with ENOSPC) fails the file at the first
    /// write; the workers stop within the window — far from the end of the file — and none is
    /// still running once `finish()` has thrown.
    @Test(.enabled(if: FileManager.default.isWritableFile(atPath: "/dev/full")), arguments: [1, 2, 7])
    func fullDiskThrowsAndStopsEveryThread(workers: Int) throws {
        let formatted = Counter()
        let writer = try IndicatorsCSVParallelWriter(values: Self.large, path: "/dev/full", format: .standard,
                                                     workers: workers, rowsPerBlock: 200) { _ in formatted.add() }
        guard let outcome = Self.finish(writer, within: 60) else {
            Issue.record("finish() did not return: a thread is blocked")
            return
        }
        #expect((outcome.error as? PWSError)?.code == .outputNotWritable)
        let plan = IndicatorBlockPlan(months: Self.large.asOfMonth, areas: Self.large.order.count,
                                      indicators: Self.large.indicators.count, rowsPerBlock: 200)
        let atReturn = formatted.value
        #expect(atReturn < plan.count / 2)
        #expect(atReturn > 0)
        usleep(50_000)
        #expect(formatted.value == atReturn, "a worker went on after finish() threw")
        // The same error again; cancelling afterwards changes nothing.
        #expect { _ = try writer.finish() } throws: { ($0 as? PWSError)?.code == .outputNotWritable }
        writer.cancel()
        #expect { _ = try writer.finish() } throws: { ($0 as? PWSError)?.code == .outputNotWritable }
    }

    /// `finish()` run on a thread of its own, so a writer whose threads block fails the test
    /// instead of hanging it: its outcome, or nil when it did not return within `seconds`.
    static func finish(_ writer: IndicatorsCSVParallelWriter, within seconds: Double) -> Outcome? {
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) let writer = writer
        Thread {
            do { _ = try writer.finish() } catch { outcome.error = error }
            done.signal()
        }.start()
        return done.wait(timeout: .now() + seconds) == .success ? outcome : nil
    }

    /// `cancel()` (an error elsewhere in the run) stops the threads; `finish()` then throws.
    @Test func cancelStopsTheThreads() throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let formatted = Counter()
        let writer = try IndicatorsCSVParallelWriter(values: Self.large, path: path, format: .standard, workers: 2,
                                                     rowsPerBlock: 200) { _ in
            formatted.add()
            usleep(1_000)
        }
        writer.cancel()
        let atReturn = formatted.value
        usleep(20_000)
        #expect(formatted.value == atReturn)
        #expect(throws: PWSError.self) { _ = try writer.finish() }
    }

    /// Cancelling after a successful finish keeps the result (the run's `defer`).
    @Test func cancelAfterFinishIsHarmless() throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try IndicatorsCSVParallelWriter(values: Self.small, path: path, format: .excel, workers: 2)
        let written = try writer.finish()
        writer.cancel()
        #expect(try writer.finish() == written)
        #expect(written.sha256 == (try FileDigest.sha256(path: path)).hex)
    }

    @Test(arguments: [(0, 5, 4, 10, 0), (5, 0, 4, 10, 0), (5, 7, 0, 10, 0), (5, 7, 4, 10, 18), (5, 7, 4, 1, 35),
                      (1, 1, 30, 10, 1), (12, 1000, 19, 16_384, 14)])
    func planCoversEveryPairOnce(months: Int, areas: Int, indicators: Int, rowsPerBlock: Int, blocks: Int) {
        let plan = IndicatorBlockPlan(months: months, areas: areas, indicators: indicators, rowsPerBlock: rowsPerBlock)
        #expect(plan.count == blocks)
        let pairs = (0..<plan.count).map { plan.areaMonths(of: $0) }
        #expect(pairs.allSatisfy { !$0.isEmpty })
        if indicators > 0 { #expect(pairs.reduce(0) { $0 + $1.count } == months * areas) }
        for (a, b) in zip(pairs, pairs.dropFirst()) { #expect(a.upperBound == b.lowerBound) }
    }
}

/// A count shared with worker threads.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func add() { lock.withLock { n += 1 } }
    var value: Int { lock.withLock { n } }
}

/// What `finish()` threw, handed from the thread that called it.
final class Outcome: @unchecked Sendable {
    var error: (any Error)?
}
