import Foundation
import Testing
@testable import PWSCore
#if canImport(Glibc)
import Glibc
#endif

/// `DirectoryEntry` reads a `readdir` record in place. Both folder listings go through it (the
/// service files of `layanan/`, the map cache's entries): they had copied the whole `dirent`,
/// 256 bytes of name, and a `pws run` at 3 M records died of it once (SIGSEGV in the listing,
/// on a worker thread, at a page-aligned address).
@Suite struct DirectoryEntryTests {
    /// A short record ending where an unmapped page begins, as the last record of glibc's
    /// buffer can: its name and type are read, and nothing beyond its end (a copy of the whole
    /// `dirent`, as before, reads into the unmapped page and kills the test process).
    @Test func shortRecordBeforeAnUnmappedPageIsReadInPlace() throws {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let base = try #require(mmap(nil, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0))
        #expect(base != MAP_FAILED)
        defer { munmap(base, 2 * page) }
        #expect(mprotect(base + page, page, PROT_NONE) == 0)
        let name = Array("x.csv".utf8)
        // Records are 8-byte aligned and only as long as their name and NUL.
        let length = (DirectoryEntry.nameOffset + name.count + 1 + 7) / 8 * 8
        #expect(length < MemoryLayout<dirent>.size)
        let record = base + page - length
        memset(record, 0, length)
        record.storeBytes(of: UInt16(length), toByteOffset: MemoryLayout<dirent>.offset(of: \dirent.d_reclen)!, as: UInt16.self)
        record.storeBytes(of: UInt8(DT_REG), toByteOffset: DirectoryEntry.typeOffset, as: UInt8.self)
        for (k, byte) in name.enumerated() {
            record.storeBytes(of: byte, toByteOffset: DirectoryEntry.nameOffset + k, as: UInt8.self)
        }
        let entry = DirectoryEntry(UnsafePointer(record.assumingMemoryBound(to: dirent.self)))
        #expect(entry == DirectoryEntry(name: name, type: UInt8(DT_REG)))
    }

    /// A real folder: every name as its bytes (one not UTF-8), with its type, and "." and "..".
    @Test func everyEntryOfAFolderWithItsType() throws {
        let folder = FileManager.default.temporaryDirectory.path + "/pws-dirent-\(getpid())-\(UInt32.random(in: 0 ... .max))"
        #expect(mkdir(folder, 0o755) == 0)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let files: [[UInt8]] = [Array("a.csv".utf8), Array("b c.xlsx".utf8), [0x66, 0xFF, 0x2E, 0x63, 0x73, 0x76],
                                Array(String(repeating: "n", count: 255).utf8)]
        for name in files {
            let path = Array(folder.utf8) + [0x2F] + name + [0]
            let fd = path.withUnsafeBufferPointer { p in
                p.baseAddress!.withMemoryRebound(to: CChar.self, capacity: path.count) { open($0, O_CREAT | O_WRONLY, 0o644) }
            }
            #expect(fd >= 0)
            close(fd)
        }
        #expect(mkdir(folder + "/sub", 0o755) == 0)
        let dir = try #require(opendir(folder))
        defer { closedir(dir) }
        let entries = DirectoryEntry.all(dir).sorted { $0.name.lexicographicallyPrecedes($1.name) }
        let expected = (files.map { DirectoryEntry(name: $0, type: UInt8(DT_REG)) }
            + [".", "..", "sub"].map { DirectoryEntry(name: Array($0.utf8), type: UInt8(DT_DIR)) })
            .sorted { $0.name.lexicographicallyPrecedes($1.name) }
        #expect(entries.map(\.name) == expected.map(\.name))
        // A file system may leave the type unknown (DT_UNKNOWN); this one's tmp folder does not.
        for (entry, wanted) in zip(entries, expected) where entry.type != UInt8(DT_UNKNOWN) {
            #expect(entry.type == wanted.type)
        }
    }
}
