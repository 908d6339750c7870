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
            return (path.map { "\($0): " } ?? "") + ns.localizedDescription
        }
        return "\(error)"
    }
}
