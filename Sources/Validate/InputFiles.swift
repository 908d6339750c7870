#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Concurrency
import Ingest
import PWSCore

/// An input the data folder lists that cannot be read as a file (spec §A8): a FIFO, device,
/// socket or directory named like a CSV file, a dangling or looping symlink, an unreadable file,
/// or a name that is not valid UTF-8.
public struct UnreadableInput: Sendable, Hashable {
    /// The path relative to the data folder; bytes that are not UTF-8 are written `\xNN`.
    public var path: String
    /// Why it cannot be read, and what to do.
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
}

/// The service-record files of a data folder (spec §2.1): the readable ones in read order and
/// the ones that cannot be read.
public struct ServiceFileListing: Sendable {
    /// Regular, readable files, relative to the data folder, in byte order of their paths.
    public var files: [String] = []
    /// The size in bytes of each of `files`, as the listing saw it (so reading needs no
    /// further `stat` to size its tables and buffers).
    public var sizes: [Int] = []
    /// Each of `files`' `stat` as the listing saw it (the map cache's hash index compares it,
    /// so no file is stat'ed twice).
    public var stats: [ListedStat] = []
    /// Everything else the pattern names, in the same order.
    public var unreadable: [UnreadableInput] = []
}

/// What a listing's `stat` saw of a file: its size, times and identity.
public struct ListedStat: Sendable, Equatable {
    public var size: Int64
    public var mtimeSeconds: Int64
    public var mtimeNanoseconds: Int64
    public var ctimeSeconds: Int64
    public var ctimeNanoseconds: Int64
    public var inode: UInt64
    public var device: UInt64

    public init(_ st: stat) {
        size = Int64(st.st_size)
        mtimeSeconds = Int64(st.st_mtim.tv_sec)
        mtimeNanoseconds = Int64(st.st_mtim.tv_nsec)
        ctimeSeconds = Int64(st.st_ctim.tv_sec)
        ctimeNanoseconds = Int64(st.st_ctim.tv_nsec)
        inode = UInt64(st.st_ino)
        device = UInt64(st.st_dev)
    }
}

/// Looks at the inputs before anything is opened for reading, so no input can block the run: a
/// FIFO would block `open(2)` until a writer comes, and a device such as `/dev/zero` never ends.
public enum InputFiles {
    /// Lists `layanan.csv`/`.xlsx` and every `*.csv` and `*.xlsx` directly in `layanan/`
    /// (extension case-insensitive; `*.xls` too, as unreadable with what to do), and
    /// `*.ndjson` and `*.json` directly in `fhir/` (FHIR R4, spec §A3),
    /// reading directory entries as bytes so a name that is not UTF-8 is seen and reported
    /// instead of dropped or mangled.
    /// - Complexity: one `lstat` (and a `stat` for a symbolic link) and one `faccessat` per
    ///   matching entry, relative to its folder and on `workers` threads; no file is opened (a
    ///   workbook's first bytes aside).
    public static func serviceFiles(in dataDirectory: String,
                                    workers: Int = Parallel.defaultWorkers) -> ServiceFileListing {
        var found: [(path: [UInt8], problem: String?, stat: stat)] = []
        for name in ["layanan.csv", "layanan.xlsx", "layanan.xls"] {
            let top = Array(name.utf8)
            var st = stat()
            if let problem = check(AT_FDCWD, dataDirectory + "/" + name, top, mustExist: false, stat: &st) {
                if problem != absent { found.append((top, problem, stat())) }
            } else {
                found.append((top, workbookProblem(dataDirectory, top), st))
            }
        }
        found += folderFiles(dataDirectory, "layanan", workers: workers) { name in
            isCSVName(name) || isWorkbookName(name) || isLegacyWorkbookName(name)
        }
        // FHIR R4 exports (spec §A3): `fhir/*.ndjson` and `fhir/*.json`.
        found += folderFiles(dataDirectory, "fhir", workers: workers) { name in
            hasExtension(name, ".ndjson") || hasExtension(name, ".json")
        }
        // Byte order of the paths (memcmp, then length: what `lexicographicallyPrecedes` gives).
        found.sort { a, b in
            let common = Swift.min(a.path.count, b.path.count)
            let order = a.path.withUnsafeBufferPointer { x in
                b.path.withUnsafeBufferPointer { y in memcmp(x.baseAddress!, y.baseAddress!, common) }
            }
            return order != 0 ? order < 0 : a.path.count < b.path.count
        }
        var listing = ServiceFileListing()
        for (path, problem, st) in found {
            if let problem {
                listing.unreadable.append(UnreadableInput(path: display(path), reason: problem))
            } else {
                listing.files.append(String(decoding: path, as: UTF8.self))
                listing.sizes.append(Int(st.st_size))
                listing.stats.append(ListedStat(st))
            }
        }
        return listing
    }

    /// A note for each folder inside `layanan/` or `fhir/` holding files named like service
    /// files, which are not read (only the files directly in those folders are): files put in
    /// `layanan/2025-12/` were left out without a word. Not an error — an archive folder may be
    /// meant to be left out — but said in the log and run.json. Also a note for each Excel lock
    /// file in `layanan/` (`isExcelLockFile`), which the listing leaves out.
    public static func ignoredFolderNotes(in dataDirectory: String) -> [String] {
        var notes: [String] = []
        for (folder, matches) in [("layanan", { (n: [UInt8]) in isCSVName(n) || isWorkbookName(n) || isLegacyWorkbookName(n) }),
                                  ("fhir", { (n: [UInt8]) in hasExtension(n, ".ndjson") || hasExtension(n, ".json") })] {
            let directory = dataDirectory + "/" + folder
            guard let dir = opendir(directory) else { continue }
            defer { closedir(dir) }
            // Only folders (or links and entries the file system does not type), and names
            // starting `~$` (lock files), are looked at: no `stat` per service file.
            for entry in DirectoryEntry.all(dir) {
                if folder == "layanan" && isExcelLockFile(dirfd(dir), entry.name) {
                    let name = PersonID.maskIdentifiersInName(display(Array((folder + "/").utf8) + entry.name))
                    let workbook = PersonID.maskIdentifiersInName(display(Array(entry.name.dropFirst(2))))
                    notes.append("\(name)\(lockNotePhrase)\(workbook) is open: not an input, not read (the workbook is read as it was last saved)")
                    continue
                }
                guard [UInt8(DT_DIR), UInt8(DT_LNK), UInt8(DT_UNKNOWN)].contains(entry.type)
                    && entry.name != Array(".".utf8) && entry.name != Array("..".utf8) else { continue }
                // By the name's bytes, relative to the folder: a name that is not UTF-8 is found too.
                let fd = (entry.name + [0]).withUnsafeBufferPointer { name in
                    name.withMemoryRebound(to: CChar.self) { openat(dirfd(dir), $0.baseAddress!, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK) }
                }
                guard fd >= 0 else { continue }
                guard let sub = fdopendir(fd) else {
                    close(fd)
                    continue
                }
                let count = DirectoryEntry.all(sub).filter { matches($0.name) }.count
                closedir(sub)
                guard count > 0 else { continue }
                let name = PersonID.maskIdentifiersInName(display(Array((folder + "/").utf8) + entry.name))
                notes.append("\(name)/ is a folder: its \(count) file(s)\(folderNotePhrase)\(folder)/; move them there (an archive meant to be left out can stay)")
            }
        }
        return notes.sorted()
    }

    /// True for a note of `ignoredFolderNotes`: an input left out.
    public static func isLeftOutNote(_ note: String) -> Bool {
        note.contains(folderNotePhrase) || note.contains(lockNotePhrase)
    }

    private static let folderNotePhrase = " named like service files are not read — pws reads only the files directly in "
    private static let lockNotePhrase = " is the lock file Excel keeps while "

    /// The entries of `dataDirectory/folder` whose names `matches`, each checked (`check`)
    /// relative to the folder — no walk of the whole path per file — on `workers` threads.
    private static func folderFiles(_ dataDirectory: String, _ folder: String, workers: Int,
                                    matches: ([UInt8]) -> Bool) -> [(path: [UInt8], problem: String?, stat: stat)] {
        let directory = dataDirectory + "/" + folder
        var st = stat()
        // No `layanan/` at all is fine (`layanan.csv` alone); one that is there but cannot be
        // listed — a link to an unmounted share, a folder without permission — is an input
        // that cannot be read: its files would otherwise be left out without a word.
        guard lstat(directory, &st) == 0 else { return [] }
        guard let dir = opendir(directory) else {
            return [(Array(folder.utf8), folderProblem(directory), stat())]
        }
        defer { closedir(dir) }
        let descriptor = dirfd(dir)
        let names = DirectoryEntry.all(dir).map(\.name).filter { matches($0) && !isExcelLockFile(descriptor, $0) }
        let prefix = Array((folder + "/").utf8)
        let parts = Parallel.ranges(names.count, parts: names.count < 256 ? 1 : max(1, workers))
        return Array(Parallel.map(parts.count) { p in
            parts[p].map { k -> (path: [UInt8], problem: String?, stat: stat) in
                let path = prefix + names[k]
                var st = stat()
                let relative = String(decoding: names[k], as: UTF8.self)
                let problem = check(descriptor, relative, path, mustExist: true, stat: &st)
                    ?? workbookProblem(dataDirectory, path)
                return (path, problem, st)
            }
        }.joined())
    }

    /// Why the folder `layanan/` or `fhir/` (there, as `lstat` saw) cannot be listed.
    private static func folderProblem(_ directory: String) -> String {
        let error = errno
        var st = stat()
        if stat(directory, &st) != 0 {
            if errno == ELOOP { return "the folder is a symbolic link that loops back on itself; replace it with the folder it should point to" }
            if errno == ENOENT { return "the folder is a symbolic link to something that does not exist (a share not mounted?); mount or replace it, or remove it" }
        } else if (st.st_mode & S_IFMT) != S_IFDIR {
            return "it is \(nonRegularKind(st.st_mode) ?? "a file"), not a folder; the service files go in a folder of that name"
        }
        return "the folder cannot be listed (\(String(cString: strerror(error)))); \(Self.advice(error))"
    }

    /// Why a required or optional single input (`wilayah.csv`, `sasaran.csv`) cannot be read,
    /// or nil when it is a regular readable file or (optional) absent.
    public static func problem(dataDirectory: String, name: String) -> String? {
        var st = stat()
        let problem = check(AT_FDCWD, dataDirectory + "/" + name, Array(name.utf8), mustExist: false, stat: &st)
        if problem == absent { return nil }
        return problem ?? workbookProblem(dataDirectory, Array(name.utf8))
    }

    /// The file holding `base` (`wilayah`, `sasaran`) in the data folder: `base.csv`, else
    /// `base.xlsx`, else `base.xls` (refused later with its reason); nil when none is there.
    /// - Throws: `PWSError` `.inputMissing` when both a CSV and a workbook are there.
    public static func single(dataDirectory: String, base: String) throws -> String? {
        let present = ["\(base).csv", "\(base).xlsx", "\(base).xls"].filter { name in
            var st = stat()
            return lstat(dataDirectory + "/" + name, &st) == 0
        }
        if present.count > 1 {
            throw PWSError(.inputMissing, "the data folder holds both \(present.joined(separator: " and ")); keep one of them")
        }
        return present.first
    }

    /// What to do when an input cannot be opened or listed for `error`: its permissions, unless
    /// the process ran out of descriptors (EMFILE, ENFILE) — then the input is fine and skipping
    /// it with --skip-unreadable would leave good data out.
    static func advice(_ error: Int32) -> String {
        error == EMFILE || error == ENFILE
            ? "it is not at fault: pws may open no more files — raise the limit of open files (ulimit -n) for the user running it, and do not skip it"
            : "check its permissions"
    }

    /// Why a file named like a workbook cannot be read, or nil (also for CSV names). Looks at
    /// the first bytes — an `.xls` (BIFF) or a password-protected `.xlsx` is an OLE compound
    /// file (D0 CF 11 E0 A1 B1 1A E1); an `.xlsx` must be a zip (`PK`) — and opens the zip's
    /// directory at the end of the file (`zipDirectoryProblem`), which a copy cut short lacks.
    static func workbookProblem(_ dataDirectory: String, _ path: [UInt8]) -> String? {
        let name = path.split(separator: UInt8(ascii: "/")).last.map(Array.init) ?? path
        let legacy = isLegacyWorkbookName(name)
        guard legacy || isWorkbookName(name) else { return nil }
        let full = dataDirectory + "/" + String(decoding: path, as: UTF8.self)
        let descriptor = open(full, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { let e = errno; return "it cannot be opened (\(String(cString: strerror(e)))); \(Self.advice(e))" }
        defer { close(descriptor) }
        var head = [UInt8](repeating: 0, count: 8)
        let count = head.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, 8) }
        let ole: [UInt8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]
        if count == 8 && head == ole {
            return legacy
                ? "it is an old Excel 97–2003 workbook (.xls), which pws does not read; open it in Excel or LibreOffice and save it as .xlsx (Excel Workbook)"
                : "it is a password-protected (encrypted) or old-format Excel file, which pws cannot read; remove the password (File → Info → Protect Workbook) or open it and save it as .xlsx (Excel Workbook)"
        }
        if legacy {
            return "it is named .xls, which pws does not read; save it as .xlsx (Excel Workbook) or as CSV"
        }
        if count < 4 || head[0] != 0x50 || head[1] != 0x4B {
            return "it is named .xlsx but is not an Excel workbook (not a zip archive: empty, damaged or another format); open it in Excel or LibreOffice and save it again as .xlsx"
        }
        // A zip whose first entry is encrypted (bit 0 of its local header's flags, byte 6): a
        // password set on the zip itself (`zip -P`, 7-Zip) rather than in Excel.
        if count == 8 && head[2] == 0x03 && head[3] == 0x04 && head[6] & 1 != 0 {
            return "it is a password-protected (encrypted) zip archive, which pws cannot read; unpack it with its password, or open the workbook and save it again as .xlsx without one"
        }
        // A file cut short (a copy that did not finish) starts like a workbook but has lost the
        // zip's directory at its end: it failed only when read, exit 66 even with
        // --skip-unreadable, though no row of it had counted yet.
        if let error = zipDirectoryProblem(path: full) {
            if error == EMFILE || error == ENFILE {
                return "it cannot be opened (\(String(cString: strerror(error)))); \(Self.advice(error))"
            }
            return "it is named .xlsx but its zip archive cannot be opened (cut short — a copy that did not finish — or damaged); copy it again, or open it in Excel or LibreOffice and save it again as .xlsx"
        }
        return nil
    }

    /// Excel's owner file of an open workbook, `~$name.xlsx` (165 bytes: the user's name): a
    /// regular file named `~$….xlsx` of at most 512 bytes that is not a zip archive (one this
    /// process may not open counts too: it could not be read as a workbook either). It holds
    /// no data, so it is no input: the listing leaves it out and `ignoredFolderNotes` names it
    /// (it stopped a night with exit 66 while someone had the workbook open on the share). A
    /// workbook named `~$…` (a zip) is read as any other.
    static func isExcelLockFile(_ folder: Int32, _ name: [UInt8]) -> Bool {
        guard name.starts(with: [0x7E, 0x24]), isWorkbookName(name) else { return false }
        return (name + [0]).withUnsafeBufferPointer { n in
            n.withMemoryRebound(to: CChar.self) { path -> Bool in
                var st = stat()
                guard fstatat(folder, path.baseAddress!, &st, AT_SYMLINK_NOFOLLOW) == 0,
                      (st.st_mode & S_IFMT) == S_IFREG, st.st_size <= 512 else { return false }
                let descriptor = openat(folder, path.baseAddress!, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
                guard descriptor >= 0 else { return true }
                defer { close(descriptor) }
                var head = [UInt8](repeating: 0, count: 2)
                let count = head.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, 2) }
                return !(count == 2 && head == [0x50, 0x4B])
            }
        }
    }

    /// `name` ends in `.xlsx`, any case, and is more than that.
    static func isWorkbookName(_ name: [UInt8]) -> Bool { hasExtension(name, ".xlsx") }

    /// `name` ends in `.xls`, any case: an Excel 97–2003 workbook, listed so it is not skipped silently.
    static func isLegacyWorkbookName(_ name: [UInt8]) -> Bool { hasExtension(name, ".xls") }

    private static func hasExtension(_ name: [UInt8], _ ext: String) -> Bool {
        let e = Array(ext.utf8)
        guard name.count > e.count else { return false }
        return zip(name.suffix(e.count), e).allSatisfy { ($0 | 0x20) == ($1 | 0x20) }
    }

    private static let absent = "absent"

    /// `name` ends in `.csv`, any case, and is more than that.
    static func isCSVName(_ name: [UInt8]) -> Bool {
        guard name.count > 4 else { return false }
        let tail = name.suffix(4).map { $0 | 0x20 }
        return name[name.count - 4] == UInt8(ascii: ".") && tail == Array(".csv".utf8).map { $0 | 0x20 }
    }

    /// The path's bytes as text, every byte that is not part of valid UTF-8, and every control
    /// character (a line feed would forge a line of the console or a CSV), written `\xNN`.
    static func display(_ bytes: [UInt8]) -> String {
        if !hasControl(bytes), let text = String(validating: bytes, as: UTF8.self) { return text }
        var out = ""
        var i = 0
        while i < bytes.count {
            var length = 1
            let b = bytes[i]
            if b >= 0xC2 && b <= 0xDF { length = 2 } else if b >= 0xE0 && b <= 0xEF { length = 3 }
            else if b >= 0xF0 && b <= 0xF4 { length = 4 }
            if i + length <= bytes.count, !hasControl(bytes[i..<i + length]),
               let piece = String(validating: bytes[i..<i + length], as: UTF8.self) {
                out += piece
                i += length
            } else {
                out += "\\x" + String(b, radix: 16, uppercase: true).leftPadded(to: 2)
                i += 1
            }
        }
        return out
    }

    /// Whether `bytes` hold a C0 control, DEL or (UTF-8 encoded) a C1 control.
    static func hasControl<C: Collection>(_ bytes: C) -> Bool where C.Element == UInt8 {
        var previous: UInt8 = 0
        for b in bytes {
            if b < 0x20 || b == 0x7F || (previous == 0xC2 && b >= 0x80 && b <= 0x9F) { return true }
            previous = b
        }
        return false
    }

    /// What is wrong with the input at `file` (relative to the folder open as `folder`, or
    /// `AT_FDCWD`), `path` in the data folder, or nil when it is a regular file this process can
    /// open for reading (its `stat` then in `st`). Nothing is opened, so a FIFO cannot hold the run.
    private static func check(_ folder: Int32, _ file: String, _ path: [UInt8], mustExist: Bool,
                              stat st: inout stat) -> String? {
        guard String(validating: path, as: UTF8.self) != nil else {
            return "the file name is not valid UTF-8; rename it using only letters, digits, '-' and '_'"
        }
        guard !hasControl(path) else {
            return "the file name holds a control character (a line feed, tab or escape; shown \\xNN); rename it using only letters, digits, '-' and '_'"
        }
        var link = stat()
        guard fstatat(folder, file, &link, AT_SYMLINK_NOFOLLOW) == 0 else {
            return mustExist ? "it cannot be examined (\(String(cString: strerror(errno)))); check the folder's permissions" : absent
        }
        if (link.st_mode & S_IFMT) == S_IFLNK {
            guard fstatat(folder, file, &st, 0) == 0 else {
                if errno == ELOOP {
                    return "it is a symbolic link that loops back on itself; replace it with the file it should point to"
                }
                return "it is a symbolic link to something that does not exist; replace it with the file or remove it"
            }
        } else {
            st = link
        }
        if let kind = nonRegularKind(st.st_mode) {
            return "it is \(kind), not a regular file; only files can be read — move it out of the data folder"
        }
        // A regular file (just seen): whether this process may open it for reading is what
        // `open(2)` would decide, asked without opening it (one call instead of open, fstat and
        // close per file; the reader checks the type again when it opens the file).
        guard faccessat(folder, file, R_OK, AT_EACCESS) == 0 else {
            let e = errno
            return "it cannot be opened (\(String(cString: strerror(e)))); \(Self.advice(e))"
        }
        return nil
    }

    /// Refuses a `--data` that is not a folder, saying what it is instead.
    /// - Throws: `PWSError` `.inputMissing` (exit 66).
    public static func checkDataFolder(_ path: String) throws {
        var st = stat()
        let what: String
        if stat(path, &st) == 0 {
            if (st.st_mode & S_IFMT) == S_IFDIR {
                // A folder this process may not list or enter: said so, rather than
                // "wilayah.csv is missing" next.
                // Entered, never listed (its files are opened by name): X alone is enough.
                guard faccessat(AT_FDCWD, path, X_OK, AT_EACCESS) != 0 else { return }
                throw PWSError(.inputMissing, "data folder \(path) cannot be read (\(String(cString: strerror(errno)))); check its permissions: the user running pws needs to enter it")
            } else {
                what = "is \(nonRegularKind(st.st_mode) ?? "a file"), not a folder"
            }
        } else if errno == ELOOP {
            what = "is a symbolic link that loops back on itself"
        } else if errno == ENOENT {
            var link = stat()
            what = lstat(path, &link) == 0 ? "is a symbolic link to something that does not exist" : "does not exist"
        } else {
            what = "cannot be examined (\(String(cString: strerror(errno))))"
        }
        throw PWSError(.inputMissing, "data folder \(path) \(what); pass the folder holding wilayah.csv and layanan/ with --data")
    }

    /// What the file at `path` (links followed) is when it is not a regular file, or nil for a
    /// regular file or one that cannot be examined (the caller's open then says why).
    public static func nonRegularKind(atPath path: String) -> String? {
        var st = stat()
        return stat(path, &st) == 0 ? nonRegularKind(st.st_mode) : nil
    }

    /// What a file type that is not a regular file is called, or nil for a regular file.
    public static func nonRegularKind(_ mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: nil
        case S_IFDIR: "a directory"
        case S_IFIFO: "a FIFO (named pipe)"
        case S_IFSOCK: "a socket"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        default: "not a file"
        }
    }
}

private extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
