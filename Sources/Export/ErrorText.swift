import Foundation

/// What a Foundation error says to a person: `FileManager` throws a `CocoaError` whose
/// description is a dump (`Error Domain=NSCocoaErrorDomain Code=512 "(null)" UserInfo={…}`);
/// the system's reason underneath it (`Not a directory`) is what to show.
public enum ErrorText {
    /// The POSIX reason under `error` with the path it names, else its localized description.
    public static func describe(_ error: Error) -> String {
        let ns = error as NSError
        let path = ns.userInfo[NSFilePathErrorKey] as? String
        var underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError
        if ns.domain == NSPOSIXErrorDomain { underlying = ns }
        if let posix = underlying, posix.domain == NSPOSIXErrorDomain {
            let reason = String(cString: strerror(Int32(posix.code)))
            return path.map { "\($0): \(reason)" } ?? reason
        }
        if ns.domain == NSCocoaErrorDomain {
            // No reason underneath (a write onto a folder gives only code 512): the likely one,
            // from the path itself.
            if let path, let reason = probe(path) { return "\(path): \(reason)" }
            return (path.map { "\($0): " } ?? "") + ns.localizedDescription
        }
        return "\(error)"
    }

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
