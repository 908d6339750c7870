import Foundation

/// What a Foundation error says to a person: `FileManager` throws a `CocoaError` whose
/// description is a dump (`Error Domain=NSCocoaErrorDomain Code=512 "(null)" UserInfo={…}`);
/// the system's reason underneath it (`Not a directory`) is what to show.
public enum ErrorText {
    /// The POSIX reason under `error` with the path it names (else `path`, when given), else
    /// its localized description.
    public static func describe(_ error: Error, path given: String? = nil) -> String {
        let ns = error as NSError
        let path = ns.userInfo[NSFilePathErrorKey] as? String ?? given
        var underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError
        if ns.domain == NSPOSIXErrorDomain { underlying = ns }
        if let posix = underlying, posix.domain == NSPOSIXErrorDomain {
            let reason = String(cString: strerror(Int32(posix.code)))
            return path.map { "\($0): \(reason)" } ?? reason
        }
        if ns.domain == NSCocoaErrorDomain {
            // Foundation turns some errnos into codes of its own with nothing underneath (a full
            // disk: "There isn't enough space."): the system's words for them.
            if let code = posixCode[ns.code] {
                let reason = String(cString: strerror(code))
                return path.map { "\($0): \(reason)" } ?? reason
            }
            // No reason underneath (a write onto a folder gives only code 512): the likely one,
            // from the path itself.
            if let path, let reason = probe(path) { return "\(path): \(reason)" }
            return (path.map { "\($0): " } ?? "") + ns.localizedDescription
        }
        return "\(error)"
    }

    /// Foundation's file error codes that stand for one errno.
    static let posixCode: [Int: Int32] = [
        CocoaError.fileWriteOutOfSpace.rawValue: ENOSPC,
        CocoaError.fileWriteVolumeReadOnly.rawValue: EROFS,
        CocoaError.fileWriteNoPermission.rawValue: EACCES,
        CocoaError.fileReadNoPermission.rawValue: EACCES,
        CocoaError.fileNoSuchFile.rawValue: ENOENT,
        CocoaError.fileReadNoSuchFile.rawValue: ENOENT,
    ]

    /// Why `path` cannot be written, as the system would say it: a folder in its place, a
    /// parent that is missing, not a folder or not writable; nil when none of these.
    static func probe(_ path: String) -> String? {
        var st = stat()
        if lstat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR { return String(cString: strerror(EISDIR)) }
        let parent = (path as NSString).deletingLastPathComponent
        if access(parent.isEmpty ? "." : parent, W_OK) != 0 { return String(cString: strerror(errno)) }
        return nil
    }
}
