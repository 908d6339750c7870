import CMinizip
import Foundation
import CSV
import PWSCore

/// Limits on what one workbook may inflate to, so a zip bomb (a small file whose parts claim or
/// inflate to gigabytes) ends with a message instead of filling memory or running for hours.
public struct WorkbookLimits: Sendable {
    /// The most bytes one part (a sheet, the shared strings) may inflate to (default 4 GiB:
    /// a full 1,048,576-row sheet of 20 columns is about 1.5 GiB of XML).
    public var maxPartBytes: Int
    /// The largest ratio of inflated bytes so far to the part's stored size, checked once a part
    /// has inflated 16 MiB (default 250: sheet XML compresses 5–30 times, a sheet of identical
    /// rows under 100 times; deflate's limit, a run of one repeated byte, is ~1000).
    public var maxRatio: Int
    /// The most bytes the shared-string table may hold in memory (default 512 MiB).
    public var maxSharedStringBytes: Int
    /// The deepest XML element nesting accepted (a sheet is 6 deep; default 64).
    public var maxDepth: Int

    public init(maxPartBytes: Int = 4 << 30, maxRatio: Int = 250, maxSharedStringBytes: Int = 512 << 20,
                maxDepth: Int = 64) {
        self.maxPartBytes = maxPartBytes
        self.maxRatio = maxRatio
        self.maxSharedStringBytes = maxSharedStringBytes
        self.maxDepth = maxDepth
    }
}

/// Why a workbook cannot be read, said so that the person holding the file knows what to do.
struct WorkbookError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

/// Whether minizip opens `path` as a zip archive — finds its central directory, which a file
/// cut short in a copy has lost — without reading any entry: the listing's check of a workbook
/// before any row counts, so such a file is an unreadable input like the others. Nil when it
/// opens; else the errno of the failure when the system gave one (EMFILE: the process, not the
/// file), 0 when the file is no zip archive.
public func zipDirectoryProblem(path: String) -> Int32? {
    errno = 0
    guard let handle = unzOpen64(path) else { return errno }
    unzClose(handle)
    return nil
}

/// An opened .xlsx (a zip file) whose parts are read one at a time, inflated as they are read.
final class ZipArchive {
    private let handle: unzFile
    let displayName: String
    /// The stored bytes of the parts opened so far, each stretch of stored data counted once
    /// (zip entries may share one), and the bytes they inflated to, each read counted: the ratio
    /// limit holds for the parts together too, so parts each under the 16 MiB a part inflates
    /// before its own ratio is checked — or one part read through many entries or
    /// relationships — cannot add up to gigabytes.
    private(set) var storedTotal = 0
    fileprivate var inflatedTotal = 0
    private var credited = Set<UInt64>()
    /// The file's size: no part is stored in more (a central directory may claim anything).
    let fileSize: Int

    /// - Throws: `WorkbookError` when the file is not a zip archive.
    init(path: String, displayName: String) throws {
        guard let handle = unzOpen64(path) else {
            throw WorkbookError("\(displayName) is not a readable .xlsx workbook (not a zip archive, or a damaged one); open it in Excel or LibreOffice and save it again as .xlsx")
        }
        self.handle = handle
        self.displayName = displayName
        var st = stat()
        fileSize = stat(path, &st) == 0 ? Int(st.st_size) : Int.max
    }

    deinit { unzClose(handle) }



    /// Each entry's name (its bytes) → its place in the central directory, the first entry of
    /// a name as `unzLocateFile` finds it. Read once: `unzLocateFile` walks the directory from
    /// its start at every call, so a workbook of 16,000 sheets took minutes to open them.
    private lazy var entries: [[UInt8]: unz64_file_pos] = readEntries()

    private func readEntries() -> [[UInt8]: unz64_file_pos] {
        var entries: [[UInt8]: unz64_file_pos] = [:]
        var name = [CChar](repeating: 0, count: 512)
        var status = unzGoToFirstFile(handle)
        while status == UNZ_OK {
            var info = unz_file_info64()
            if unzGetCurrentFileInfo64(handle, &info, nil, 0, nil, 0, nil, 0) == UNZ_OK {
                if Int(info.size_filename) >= name.count { name = [CChar](repeating: 0, count: Int(info.size_filename) + 1) }
                var position = unz64_file_pos()
                if unzGetCurrentFileInfo64(handle, &info, &name, UInt(name.count), nil, 0, nil, 0) == UNZ_OK,
                   unzGetFilePos64(handle, &position) == UNZ_OK {
                    // The name as strcmp sees it: up to its first NUL.
                    let bytes = name.prefix(Int(info.size_filename)).prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
                    if entries[bytes] == nil { entries[bytes] = position }
                }
            }
            status = unzGoToNextFile(handle)
        }
        return entries
    }

    /// Whether the archive holds the part `name` (a zip entry name, no leading `/`).
    func has(_ name: String) -> Bool { entries[Array(name.utf8)] != nil }

    /// Opens part `name` for reading. Only one part is open at a time. A part read `again`
    /// (a sheet's rows, after its merged cells were read) has its own limits checked as before,
    /// but does not count again towards the parts' total: its bytes were counted the first time.
    /// - Throws: `WorkbookError` when it is missing, encrypted or cannot be inflated.
    func open(_ name: String, limits: WorkbookLimits, again: Bool = false) throws -> ZipPartStream {
        guard var position = entries[Array(name.utf8)], unzGoToFilePos64(handle, &position) == UNZ_OK else {
            throw WorkbookError("\(displayName) has no part \(name); the workbook is incomplete — open it in Excel or LibreOffice and save it again")
        }
        var info = unz_file_info64()
        guard unzGetCurrentFileInfo64(handle, &info, nil, 0, nil, 0, nil, 0) == UNZ_OK else {
            throw WorkbookError("\(displayName): the zip entry of \(name) is damaged; save the workbook again")
        }
        if info.flag & 1 != 0 {
            throw WorkbookError("\(displayName) is password-protected; remove the password (File → Info → Protect Workbook) and save it as .xlsx")
        }
        // Stored or deflated, as every spreadsheet writes: minizip would open a bzip2 entry
        // and hand back its compressed bytes as if they were the part.
        guard info.compression_method == 0 || info.compression_method == 8, unzOpenCurrentFile(handle) == UNZ_OK else {
            throw WorkbookError("\(displayName): \(name) uses a compression method that cannot be read; save the workbook again as .xlsx")
        }
        let stored = min(Int(clamping: info.compressed_size), fileSize)
        if credited.insert(unzGetCurrentFileZStreamPos64(handle)).inserted { storedTotal = min(storedTotal &+ stored, fileSize) }
        return ZipPartStream(handle: handle, archive: self, name: name, compressed: stored, limits: limits, again: again)
    }
}

/// The inflated bytes of one part, read in order, within the limits.
final class ZipPartStream {
    private let handle: unzFile
    /// Keeps the archive open while the part is read.
    private let archive: ZipArchive
    let name: String
    private let compressed: Int
    private let limits: WorkbookLimits
    private(set) var inflated = 0
    private let again: Bool
    private var closed = false
    /// Set when reading failed, for the XML reader's caller to report instead of a parse error.
    var failure: WorkbookError?

    init(handle: unzFile, archive: ZipArchive, name: String, compressed: Int, limits: WorkbookLimits, again: Bool) {
        self.handle = handle
        self.again = again
        self.archive = archive
        self.name = name
        self.compressed = compressed
        self.limits = limits
    }

    /// Inflates up to `buffer.count` bytes; 0 at the end.
    /// - Throws: `WorkbookError` on damaged data or a part beyond the limits.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard !closed, let base = buffer.baseAddress, !buffer.isEmpty else { return 0 }
        let n = Int(unzReadCurrentFile(handle, base, UInt32(clamping: buffer.count)))
        if n < 0 {
            throw WorkbookError("\(archive.displayName): \(name) is damaged (zip error \(n) while inflating); save the workbook again")
        }
        inflated += n
        if inflated > limits.maxPartBytes {
            throw WorkbookError("\(archive.displayName): \(name) inflates to more than \(limits.maxPartBytes >> 20) MiB; this is not a workbook pws can read (a zip bomb or a damaged file)")
        }
        if inflated > 16 << 20 && inflated / Swift.max(compressed, 1) > limits.maxRatio {
            throw WorkbookError("\(archive.displayName): \(name) inflates more than \(limits.maxRatio) times its stored size; this is not a workbook pws can read (a zip bomb or a damaged file)")
        }
        if !again { archive.inflatedTotal += n }
        if archive.inflatedTotal > 16 << 20 && archive.inflatedTotal / Swift.max(archive.storedTotal, 1) > limits.maxRatio {
            throw WorkbookError("\(archive.displayName): its parts together inflate more than \(limits.maxRatio) times their stored size (at \(name)); this is not a workbook pws can read (a zip bomb or a damaged file)")
        }
        if n == 0 {
            if unzCloseCurrentFile(handle) == UNZ_CRCERROR {
                closed = true
                throw WorkbookError("\(archive.displayName): \(name) fails its checksum (the file is damaged); save the workbook again")
            }
            closed = true
        }
        return n
    }

    func close() {
        if !closed {
            unzCloseCurrentFile(handle)
            closed = true
        }
    }
}
