import Foundation
import PWSTestSupport
import Testing
@testable import Validate
#if canImport(Glibc)
import Glibc
#endif

/// The listing of the service files (`InputFiles.serviceFiles`): checked relative to their
/// folder on several threads, the result is the same as on one — byte order, the reasons of the
/// inputs that cannot be read, and each readable file's `stat` as `stat(2)` gives it (a
/// symbolic link's target's), which the map cache's hash index then compares instead of
/// stat'ing every file again.
@Suite struct InputFilesTests {
    /// Service files in a folder inside `layanan/` or `fhir/` are not read (only the files
    /// directly there are) — said in a note naming the folder and how many files it holds, so
    /// a month put in `layanan/2025-12/` is not left out without a word; a folder holding no
    /// such file is not mentioned.
    @Test func foldersOfServiceFilesAreNoted() throws {
        let tmp = try TemporaryFolder()
        let data = tmp.url.path
        for folder in ["layanan/2025-12", "layanan/arsip", "fhir/lama"] {
            try FileManager.default.createDirectory(atPath: data + "/" + folder, withIntermediateDirectories: true)
        }
        for file in ["layanan/2025-12/a.csv", "layanan/2025-12/b.XLSX", "layanan/2025-12/catatan.txt",
                     "layanan/arsip/readme.txt", "fhir/lama/Patient.ndjson", "layanan/top.csv"] {
            try "x".write(toFile: data + "/" + file, atomically: false, encoding: .utf8)
        }
        // A link to a folder is a folder too (checked by its target, as the listing does); a
        // folder whose name is not UTF-8 is named as the listing names such files (`\xFF`).
        #expect(symlink(data + "/layanan/2025-12", data + "/layanan/desember") == 0)
        let odd = data + "/layanan/" + String(decoding: [0x62, 0x61, 0x64], as: UTF8.self)
        #expect(mkdir(odd, 0o755) == 0)
        let oddBytes = Array((data + "/layanan/bad").utf8) + [0xFF]
        #expect(oddBytes.withUnsafeBufferPointer { b in
            (Array(b) + [0]).withUnsafeBufferPointer { $0.withMemoryRebound(to: CChar.self) { rename(odd, $0.baseAddress!) } }
        } == 0)
        try "x".write(toFile: data + "/layanan/2025-12/c.csv", atomically: false, encoding: .utf8)
        let inOdd = oddBytes + Array("/d.csv".utf8) + [0]
        let fd = inOdd.withUnsafeBufferPointer { $0.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_WRONLY | O_CREAT, 0o644) } }
        #expect(fd >= 0)
        close(fd)
        #expect(InputFiles.ignoredFolderNotes(in: data) == [
            "fhir/lama/ is a folder: its 1 file(s) named like service files are not read — pws reads only the files directly in fhir/; move them there (an archive meant to be left out can stay)",
            "layanan/2025-12/ is a folder: its 3 file(s) named like service files are not read — pws reads only the files directly in layanan/; move them there (an archive meant to be left out can stay)",
            "layanan/bad\\xFF/ is a folder: its 1 file(s) named like service files are not read — pws reads only the files directly in layanan/; move them there (an archive meant to be left out can stay)",
            "layanan/desember/ is a folder: its 3 file(s) named like service files are not read — pws reads only the files directly in layanan/; move them there (an archive meant to be left out can stay)",
        ])
        #expect(InputFiles.ignoredFolderNotes(in: data + "/nowhere").isEmpty)
    }

    @Test func manyFilesOnSeveralThreadsAreListedAsOnOne() throws {
        let tmp = try TemporaryFolder()
        let data = tmp.url.path
        let layanan = data + "/layanan"
        try FileManager.default.createDirectory(atPath: layanan, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: data + "/fhir", withIntermediateDirectories: true)
        // 600 files (more than one thread's share), written in an order other than byte order.
        for k in (0..<600).reversed() {
            try String(repeating: "x", count: k % 17).write(toFile: layanan + "/f\(k * 7 % 600).csv", atomically: false, encoding: .utf8)
        }
        try "{}".write(toFile: data + "/fhir/b.ndjson", atomically: false, encoding: .utf8)
        try "abc".write(toFile: data + "/layanan.csv", atomically: false, encoding: .utf8)
        try "ignored".write(toFile: layanan + "/notes.txt", atomically: false, encoding: .utf8)
        #expect(symlink(layanan + "/f5.csv", layanan + "/link.csv") == 0)
        #expect(symlink(layanan + "/missing", layanan + "/dangling.csv") == 0)
        #expect(mkfifo(layanan + "/fifo.csv", 0o644) == 0)
        try FileManager.default.createDirectory(atPath: layanan + "/folder.csv", withIntermediateDirectories: false)

        let one = InputFiles.serviceFiles(in: data, workers: 1)
        let expected = ["fhir/b.ndjson", "layanan.csv"]
            + ((0..<600).map { "layanan/f\($0).csv" } + ["layanan/link.csv"]).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        #expect(one.files == expected)
        #expect(one.unreadable.map(\.path) == ["layanan/dangling.csv", "layanan/fifo.csv", "layanan/folder.csv"])
        #expect(one.unreadable[0].reason.contains("does not exist"))
        #expect(one.unreadable[1].reason.contains("FIFO"))
        #expect(one.unreadable[2].reason.contains("a directory"))
        #expect(one.sizes.count == one.files.count && one.stats.count == one.files.count)
        for (k, file) in one.files.enumerated() {
            var st = stat()
            #expect(stat(data + "/" + file, &st) == 0)
            #expect(one.stats[k] == ListedStat(st), "\(file)")
            #expect(one.sizes[k] == Int(st.st_size))
        }
        // The link is listed with its target's stat.
        let link = one.files.firstIndex(of: "layanan/link.csv")!, target = one.files.firstIndex(of: "layanan/f5.csv")!
        #expect(one.stats[link] == one.stats[target] && one.sizes[link] == 5)
        for workers in [2, 3, 8] {
            let many = InputFiles.serviceFiles(in: data, workers: workers)
            #expect(many.files == one.files && many.sizes == one.sizes && many.stats == one.stats)
            #expect(many.unreadable == one.unreadable)
        }
    }

    /// An input that cannot be opened because the process has no descriptor left (EMFILE,
    /// ENFILE) is not blamed on the file's permissions: skipping it would leave good data out.
    @Test func runningOutOfDescriptorsIsNotTheFilesFault() {
        #expect(InputFiles.advice(EACCES) == "check its permissions")
        for error in [EMFILE, ENFILE] {
            #expect(InputFiles.advice(error).hasPrefix("it is not at fault: pws may open no more files — raise the limit of open files (ulimit -n)"))
        }
    }

}
