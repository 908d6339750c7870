import Concurrency
import Export
import Foundation
import PWSCore
import Validate

// The incremental map cache (spec §A7, docs/scale.md "The incremental cache"): the map of one
// input file — its candidate rows, per-row rejects, notes, account and unregistered RTs — is a
// pure function of the file's bytes, its path and the run settings that change the per-row
// rules (pipeline, catalogues, register, sasaran, --today, --keep-identifiers). It is kept per
// file under OUT/.cache/map/, so a rerun reads only new or changed files; every cross-file
// step (E-DUPLICATE-ID, W-DUPLICATE, the as-of, the reject rate) is still decided over all
// files by the dedup, reduce and merge stages, from the same partition streams.

/// How `pws run --partitions P --incremental` uses the cache.
public struct MapCacheOptions: Sendable {
    /// Hash every input file's bytes, not trusting the hash index (`--rehash`).
    public var rehash: Bool

    public init(rehash: Bool = false) {
        self.rehash = rehash
    }
}

/// The cache folder `OUT/.cache/map/` (always under OUT: its entries hold row contents):
/// - `entries/<sha256 of the entry key>.pws` — one file's map, in the intermediate container
///   (kind `map-cache`, its key in the header, its name in its table: a map task refuses
///   another), its rows split by the run's P (MapEntry); dedup and reduce read them in place;
/// - `runs/<run folder>` — the entry names a published run used, one a line (for pruning);
/// - `hashes.pws` — the hash index: per input file its size, mtime, ctime, inode, device and
///   sha256, so an unchanged file is not hashed again (see `lookUp`; the device is kept
///   but not compared);
/// - `hashes.d/<run>.<task>.pws` — the hash index of one map task of a staged run (`pws map
///   --incremental`): the map tasks of a run may run at once on several nodes, so each writes
///   its own, and the run's `pws merge` folds them into `hashes.pws` (`consolidateIndex`);
/// - `inflight/<run>.<task>` — the entry names a map task of a staged run uses, written before
///   it reads or writes any and again when it ends, so that a prune (another run's merge)
///   keeps them while its run is going; its merge removes them, and a prune ignores (and
///   removes) those older than a day. A prune also keeps every entry written in the last hour
///   (`recentLifetime`), whatever the records say.
final class MapCache {
    let folder: String
    let options: MapCacheOptions
    /// Set for a map task of a staged run (`pws map --incremental`): the run (a digest of its
    /// shared folder) and the task, which name its hash index part and in-flight record.
    var staged: (run: String, task: Int)?
    /// Console lines about entries that could not be used or written.
    var lines: [String] = []
    /// Files whose map came from the cache, files read (new, changed, or rebuilt), of which
    /// rebuilt because their entry could not be used.
    var reused = 0, remapped = 0, rebuilt = 0
    /// Files hashed, and files whose hash came from the index.
    var hashed = 0, trusted = 0
    /// The entry names of this run's files, in read order.
    var referenced: [String] = []
    /// Wall seconds of the map task(s) that used the cache (hashing included).
    var mapSeconds = 0.0

    convenience init(outputDirectory: String, options: MapCacheOptions) {
        self.init(folder: outputDirectory + "/.cache/map", options: options)
    }

    init(folder: String, options: MapCacheOptions) {
        self.folder = folder
        self.options = options
        MapCache.closeRoot(of: folder)
    }

    /// The entries hold NIKs unmasked: `OUT/.cache` is its user's alone (`rwx------`), made so
    /// here, or closed if an earlier pws made it open to all. OUT itself, made first when
    /// missing, keeps the usual mode (the months are read there). A failure is left to the first
    /// write into the cache to report (OUT not writable, a file in the way).
    private static func closeRoot(of folder: String) {
        let suffix = "/.cache/map"
        guard folder.hasSuffix(suffix) else { return }
        let out = String(folder.dropLast(suffix.count))
        if OutputFolder.makeDirectories(out.isEmpty ? "/" : out) == nil,
           OutputFolder.makeDirectories(out + "/.cache", mode: 0o700) == nil {
            chmod(out + "/.cache", 0o700)
        }
    }

    var entriesFolder: String { folder + "/entries" }
    var runsFolder: String { folder + "/runs" }
    var hashIndexPath: String { folder + "/hashes.pws" }
    var indexPartsFolder: String { folder + "/hashes.d" }
    var inflightFolder: String { folder + "/inflight" }
    /// How long an in-flight record protects its entries from a prune: a run still mapping, or
    /// one that died before its merge (whose record then goes).
    static let inflightLifetime: TimeInterval = 24 * 3600
    /// How long a prune keeps any entry (and temporary file) after it was written: an entry a
    /// map task has just written is safe even if the prune read `inflight/` before the task's
    /// record was there.
    static let recentLifetime: TimeInterval = 3600
    func entryPath(_ name: String) -> String { "\(entriesFolder)/\(name).pws" }

    static let entryKind = "map-cache"

    /// The key of one file's entry: the run key's hashes of the pipeline, catalogues, register
    /// and sasaran and `--keep-identifiers`, with the file's sha256 (in `files`) and its path in
    /// the data folder (in `dataDirectory`: the path is in every row's position), and P (the
    /// entry holds the rows split into the run's P partitions, MapEntry).
    ///
    /// `--today` only when `todaySpecific`. Today is read by one per-row rule, E-FUTURE, so a
    /// file's map is the same under every today between two of its visits, but for the today
    /// its E-FUTURE messages name: a file's first entry is keyed without today and records the
    /// visits compared on either side of the today it was built with (`ComparedVisits`); a run
    /// whose today lies between them uses it, its E-FUTURE messages made to name the run's
    /// today (`MapTaskOutline.add`) — a nightly run whose today moves on finds it. A run whose
    /// today does not lie there writes an entry keyed with its today, and leaves the first one
    /// as it is (another run may be reading it).
    /// Not in it: the data folder, the file list, M, `--as-of` (the per-row rules do not read
    /// it) and `--skip-unreadable` (which decides the listing, not a file's map).
    static func entryKey(run: ShardRunKey, path: String, sha256: String, todaySpecific: Bool) -> ShardRunKey {
        ShardRunKey(pipeline: run.pipeline, services: run.services, indicators: run.indicators, register: run.register,
                    sasaran: run.sasaran, files: sha256, today: todaySpecific ? run.today : "", asOf: nil,
                    keepIdentifiers: run.keepIdentifiers, skipUnreadable: false, mapTasks: 0, partitions: run.partitions,
                    dataDirectory: path)
    }

    /// What an entry's name hashes before its key: the intermediate format version and the
    /// version of the entry's own layout (2: the table holds the visits compared with today,
    /// and the key holds today only for an entry written when the file's first one does not
    /// hold for the run's today; 3: RW and RT labels holding a NIK are masked, so an entry of
    /// a file with one maps its rows otherwise; 4: sheet and column names masked and escaped,
    /// a register's year cell E-DATE, workbook row-order messages; 5: NIKs split by no-break
    /// spaces, tabs or NULs masked in RW and RT labels, a text formula without its result
    /// E-CELL, a UTF-16 file's encoding; 6: a UTF-16 file's lines of NULs not counted as
    /// records; 7: E-COLUMNS names the header's columns not recognised; 8: the messages of
    /// E-FUTURE and of E-COLUMNS for a file without records, a workbook's `_xHHHH_` escapes
    /// decoded; 9: a workbook's number cells as the shortest decimal of their number, FHIR
    /// notes on Patients without an area and on resources of no service given, no empty sheet
    /// name for a FHIR file or a reshaped CSV, a NUL in a UTF-8 header not taken for UTF-16, an
    /// implausible result's hash of its value, xlsx digits as written; 10: FHIR Bundle entries
    /// before an error read, trailing text, duplicate keys, BOM and UTF-16, references by URL
    /// or version, a valueQuantity without a value; xlsx parts read to their end (checksum,
    /// a second sheetData), hex serials, a missing shared string's message, a cell out of
    /// order named; wide registers' E-FIELDS, E-COLUMNS counting rows, a repeated column's
    /// note; a sheet name matched ignoring case; 11: header names with line breaks and repeated
    /// spaces matched, wide registers' absent marks, growth codes after a weight, years from
    /// sheet names, a month cell's problem under `result`, layout rows, birth-month dates, a
    /// sheet with a column misnamed rejected) — an entry of another layout has
    /// another name. Bump it whenever what one file maps to changes. (A run with `fhir/` files
    /// never uses the cache — `map` — so a change to how FHIR maps needs no bump.)
    static let namePrefix = "pws-map-cache-\(ShardFile.formatVersion).11\n"

    /// The entry's name: the sha256 of `namePrefix` and its key.
    static func entryName(_ key: ShardRunKey) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = (try? encoder.encode(key)).map { [UInt8]($0) } ?? []
        return FileDigest.sha256(bytes: Array(namePrefix.utf8) + json).hex
    }

    /// `entryName(entryKey(run:path:sha256:))` for many files of one run without a JSON
    /// encoding each (a warm map names every file of the run: ~10 µs a file that way): the
    /// key's JSON is encoded once with stand-ins for the path and the sha256, and each name
    /// hashes the same bytes with the file's values in their place. A path with a byte the
    /// encoder might escape (anything but letters, digits, `/`, `.`, `_`, `-`, space) takes the
    /// encoder's path, so the names are the same either way (EntryNamerTests).
    struct EntryNamer {
        let run: ShardRunKey
        let todaySpecific: Bool
        /// The versioned JSON before the path, between the path and the sha256, after the sha256.
        private let head: [UInt8], middle: [UInt8], tail: [UInt8]
        /// How the encoder writes `/` inside a string (`/` or `\/`).
        private let slash: [UInt8]

        init(run: ShardRunKey, todaySpecific: Bool) {
            self.run = run
            self.todaySpecific = todaySpecific
            let pathMark = "PWS_PATH_MARK", shaMark = "PWS_SHA_MARK"
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            func key(_ path: String) -> ShardRunKey {
                MapCache.entryKey(run: run, path: path, sha256: shaMark, todaySpecific: todaySpecific)
            }
            let json = (try? encoder.encode(key(pathMark))).map { [UInt8]($0) } ?? []
            let probe = (try? encoder.encode(key("a/b"))).map { [UInt8]($0) } ?? []
            let version = Array(MapCache.namePrefix.utf8)
            if let p = json.firstRange(of: Array(pathMark.utf8)), let s = json.firstRange(of: Array(shaMark.utf8)),
               p.upperBound <= s.lowerBound, let a = probe.firstRange(of: Array("\"a".utf8)),
               let b = probe[a.upperBound...].firstRange(of: Array("b\"".utf8)) {
                head = version + json[..<p.lowerBound]
                middle = Array(json[p.upperBound..<s.lowerBound])
                tail = Array(json[s.upperBound...])
                slash = Array(probe[a.upperBound..<b.lowerBound])
            } else {
                (head, middle, tail, slash) = ([], [], [], [])  // every name then takes the encoder's path
            }
        }

        func name(path: String, sha256: String) -> String {
            let plain: (UInt8) -> Bool = {
                ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || $0 == 0x2E || $0 == 0x5F
                    || $0 == 0x2D || $0 == 0x20 || $0 == 0x2F
            }
            guard !head.isEmpty, path.utf8.allSatisfy(plain), sha256.utf8.allSatisfy(plain), !sha256.utf8.contains(0x2F) else {
                return MapCache.entryName(MapCache.entryKey(run: run, path: path, sha256: sha256, todaySpecific: todaySpecific))
            }
            var bytes = head
            bytes.reserveCapacity(head.count + middle.count + tail.count + 2 * path.utf8.count + sha256.utf8.count)
            for b in path.utf8 {
                if b == 0x2F { bytes += slash } else { bytes.append(b) }
            }
            bytes += middle
            bytes += sha256.utf8
            bytes += tail
            return FileDigest.sha256(bytes: bytes).hex
        }
    }

    /// The names of the entries in the cache (without `.pws`): one listing of `entries/`
    /// rather than a stat of each file's entry. Every name counts whatever it is: one that is
    /// not a plain file (a FIFO, a folder, a dangling link) is then refused when opened, and
    /// the map says so, removes it and reads the file again (`IncrementalMapRun.unusable`).
    func entryNames() -> Set<String> {
        guard let dir = opendir(entriesFolder) else {
            if errno != ENOENT {
                note("map cache: cannot list \(entriesFolder) (\(String(cString: strerror(errno)))); every file was read again")
            }
            return []
        }
        defer { closedir(dir) }
        var names = Set<String>()
        for entry in DirectoryEntry.all(dir) {
            let name = String(decoding: entry.name, as: UTF8.self)
            guard name.hasSuffix(".pws") else { continue }
            names.insert(String(name.dropLast(4)))
        }
        return names
    }

    func note(_ line: String) {
        lines.append(line)
    }

    /// The lines of a dedup or reduce task that rebuilt entries, one line per entry rebuilt.
    func noteRebuilt(_ taskLines: [String]) {
        lines += taskLines
        rebuilt += taskLines.count
    }

    static func reason(_ error: any Error) -> String {
        (error as? PWSError)?.message ?? "\(error)"
    }

    // MARK: content hashes

    /// What `stat(2)` says of a file, as the hash index keeps it. `device` is kept (the index
    /// format has it) but not compared: on NFS or Lustre each node numbers the mount's device
    /// differently, so a map task on another node would hash every file again (`matches`).
    struct FileStat {
        var size: Int64
        var mtimeSeconds: Int64
        var mtimeNanoseconds: Int64
        var ctimeSeconds: Int64
        var ctimeNanoseconds: Int64
        var inode: UInt64
        var device: UInt64

        init?(_ path: String) {
            var st = stat()
            guard stat(path, &st) == 0 else { return nil }
            self.init(ListedStat(st))
        }

        init(_ listed: ListedStat) {
            self.init(size: listed.size, mtimeSeconds: listed.mtimeSeconds, mtimeNanoseconds: listed.mtimeNanoseconds,
                      ctimeSeconds: listed.ctimeSeconds, ctimeNanoseconds: listed.ctimeNanoseconds,
                      inode: listed.inode, device: listed.device)
        }

        init(size: Int64, mtimeSeconds: Int64, mtimeNanoseconds: Int64, ctimeSeconds: Int64, ctimeNanoseconds: Int64,
             inode: UInt64, device: UInt64) {
            self.size = size
            self.mtimeSeconds = mtimeSeconds
            self.mtimeNanoseconds = mtimeNanoseconds
            self.ctimeSeconds = ctimeSeconds
            self.ctimeNanoseconds = ctimeNanoseconds
            self.inode = inode
            self.device = device
        }

        /// The same file unchanged: size, mtime, ctime (nanoseconds) and inode equal; the
        /// device is not compared (see above).
        func matches(_ other: FileStat) -> Bool {
            size == other.size && mtimeSeconds == other.mtimeSeconds && mtimeNanoseconds == other.mtimeNanoseconds
                && ctimeSeconds == other.ctimeSeconds && ctimeNanoseconds == other.ctimeNanoseconds
                && inode == other.inode
        }
    }

    /// What the hash index knows of each file (`files` relative to `data`), on every core: its
    /// stat now, and its sha256 when the index holds a record with that same size, mtime, ctime
    /// (nanoseconds) and inode (not its device: see `FileStat`) — nil when its bytes must be
    /// hashed (`hash(path:before:)`); every file is hashed with `--rehash`. ctime cannot be set
    /// by a user (any write, `touch`, `cp -p`, rename or `chmod` sets it to the current time),
    /// so a changed file differs in it even when its size and mtime were restored.
    /// - Throws: `.inputMissing` naming a file that cannot be stat'ed.
    func lookUp(data: String, files: [String], listed: [ListedStat]? = nil, workers: Int = Parallel.defaultWorkers) throws
        -> (stats: [FileStat], hashes: [String?]) {
        let index: [String: [(stat: FileStat, sha256: String)]] = options.rehash ? [:] : preloadedIndex ?? loadIndex()
        preloadedIndex = nil
        let parts = Parallel.ranges(files.count, parts: workers * 2)
        let looked = Parallel.map(parts.count) { p in
            parts[p].map { k -> (stat: FileStat?, sha256: String?, problem: String) in
                let path = data + "/" + files[k]
                // The listing's stat, when given, is the one before anything of the file was read.
                guard let before = listed.map({ FileStat($0[k]) }) ?? FileStat(path) else {
                    return (nil, nil, String(cString: strerror(errno)))
                }
                return (before, index[path]?.first(where: { $0.stat.matches(before) })?.sha256, "")
            }
        }
        var stats: [FileStat] = [], hashes: [String?] = []
        stats.reserveCapacity(files.count)
        hashes.reserveCapacity(files.count)
        for (k, found) in looked.joined().enumerated() {
            guard let stat = found.stat else {
                throw PWSError(.inputMissing, "cannot read \(data)/\(files[k]) to hash it", cause: found.problem)
            }
            stats.append(stat)
            hashes.append(found.sha256)
        }
        return (stats, hashes)
    }

    /// The sha256 of a file the index does not know (its stat `before`), and the record for the
    /// index — only when the file did not change while it was hashed (same stat before and
    /// after) and its mtime and ctime are more than 2 s older than the hashing, so a write in the
    /// same clock tick as a hashing cannot leave a stale hash behind a matching stat. Touches no
    /// state of the cache: map threads call it at once.
    /// - Returns: the sha256, the bytes hashed and the index record (nil as said above).
    static func hash(path: String, before: FileStat) throws -> (sha256: String, bytes: Int, record: FileStat?) {
        let now = Int64(time(nil))
        let digest = try FileDigest.sha256(path: path)
        guard let after = FileStat(path), after.matches(before), before.mtimeSeconds < now - 2,
              before.ctimeSeconds < now - 2 else { return (digest.hex, digest.bytes, nil) }
        return (digest.hex, digest.bytes, before)
    }

    private static let indexKey = ShardRunKey(pipeline: "", services: "", indicators: "", register: "", sasaran: "",
                                              files: "", today: "", asOf: nil, keepIdentifiers: false,
                                              skipUnreadable: false, mapTasks: 0, partitions: 0, dataDirectory: "")

    /// One hash index file: per path its stat and sha256.
    static func readIndex(_ file: String) throws -> [(path: String, stat: FileStat, sha256: String)] {
        let (_, payload) = try ShardFile.read(file, kind: "map-cache-hashes", expected: MapCache.indexKey)
        var d = ShardDecoder(payload, path: file)
        var index: [(path: String, stat: FileStat, sha256: String)] = []
        for _ in 0..<(try d.count()) {
            let path = try d.string()
            let st = FileStat(size: Int64(try d.int()), mtimeSeconds: Int64(try d.int()),
                              mtimeNanoseconds: Int64(try d.int()), ctimeSeconds: Int64(try d.int()),
                              ctimeNanoseconds: Int64(try d.int()), inode: try d.uint(), device: try d.uint())
            index.append((path, st, try d.string()))
        }
        guard d.atEnd else { throw d.corrupted() }
        return index
    }

    /// The parts of the hash index staged map tasks wrote (`hashes.d/`) and a merge has not
    /// folded into `hashes.pws` yet.
    func indexParts() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: indexPartsFolder)) ?? [])
            .filter(CacheNames.isIndexPart).sorted().map { indexPartsFolder + "/" + $0 }
    }

    /// The hash index read ahead (`preloadIndex`), for the next `lookUp`.
    private var preloadedIndex: [String: [(stat: FileStat, sha256: String)]]?

    /// Reads the hash index now (`loadIndex`, with its console lines) for the next `lookUp`, so
    /// a map task can read it while its pipeline and register load; nothing with `--rehash`.
    func preloadIndex() {
        if !options.rehash { preloadedIndex = loadIndex() }
    }

    /// The hash index (`hashes.pws` and the parts in `hashes.d/`), every record of a path; empty
    /// (every file hashed) when it is absent or cannot be used. A record is used only when the
    /// file's stat is the one it holds, so two records of one path (a part and the index)
    /// cannot both apply unless they agree.
    func loadIndex() -> [String: [(stat: FileStat, sha256: String)]] {
        var index: [String: [(stat: FileStat, sha256: String)]] = [:]
        func add(_ records: [(path: String, stat: FileStat, sha256: String)]) {
            for r in records { index[r.path, default: []].append((r.stat, r.sha256)) }
        }
        if FileManager.default.fileExists(atPath: hashIndexPath) {
            do {
                add(try MapCache.readIndex(hashIndexPath))
            } catch {
                note("map cache: the hash index \(hashIndexPath) cannot be used (\(MapCache.reason(error))); every input file was hashed")
            }
        }
        for part in indexParts() {
            do {
                add(try MapCache.readIndex(part))
            } catch let error as PWSError where error.exitStatus == .noInput {
                continue  // folded in and removed by a merge meanwhile
            } catch {
                note("map cache: the hash index part \(part) cannot be used (\(MapCache.reason(error)))")
            }
        }
        return index
    }

    /// Writes a hash index to `path`; by default this task's: `hashes.pws`, or for a staged map
    /// task its own part `hashes.d/<run>.<task>.pws` (map tasks of one run may write at the
    /// same moment).
    func saveIndex(_ index: [String: (stat: FileStat, sha256: String)], to path: String? = nil) {
        if let line = writeIndex(index, to: path) { note(line) }
    }

    /// `saveIndex` without the console line: what it would say when the index cannot be
    /// written, or nil. Touches no state of the cache (a map task writes it on a thread of its
    /// own while it lists the entries).
    func writeIndex(_ index: [String: (stat: FileStat, sha256: String)], to path: String? = nil) -> String? {
        let hashIndexPath = path ?? staged.map { "\(indexPartsFolder)/\($0.run).\($0.task).pws" } ?? self.hashIndexPath
        var e = ShardEncoder()
        e.uint(UInt64(index.count))
        for (path, entry) in index.sorted(by: { $0.key < $1.key }) {
            e.string(path)
            for v in [entry.stat.size, entry.stat.mtimeSeconds, entry.stat.mtimeNanoseconds, entry.stat.ctimeSeconds,
                      entry.stat.ctimeNanoseconds] { e.int(Int(v)) }
            e.uint(entry.stat.inode)
            e.uint(entry.stat.device)
            e.string(entry.sha256)
        }
        do {
            try ShardFile.write(ShardHeader(kind: "map-cache-hashes", task: 0, key: MapCache.indexKey), payload: e.bytes,
                                to: hashIndexPath)
            return nil
        } catch {
            return "map cache: cannot write the hash index \(hashIndexPath) (\(MapCache.reason(error)))"
        }
    }

    /// The merge of a staged run: `hashes.pws` becomes the records of `paths` (this run's input
    /// files, absolute) and of the files in the parts in `hashes.d/` (another run's map tasks
    /// may have written one), each with the record whose stat is still the file's, and the parts
    /// read are removed — as `pws run --partitions --incremental` leaves the index with its own
    /// files. A part written after the listing stays for the next merge.
    func consolidateIndex(paths: [String]) {
        let parts = indexParts()
        var wanted = paths
        var seen = Set(paths)
        for part in parts {
            for record in (try? MapCache.readIndex(part)) ?? [] where seen.insert(record.path).inserted {
                wanted.append(record.path)
            }
        }
        let index = loadIndex()
        var kept: [String: (stat: FileStat, sha256: String)] = [:]
        for path in wanted {
            guard let now = FileStat(path), let record = index[path]?.first(where: { $0.stat.matches(now) }) else { continue }
            kept[path] = record
        }
        saveIndex(kept, to: hashIndexPath)
        for part in parts { unlink(part) }
    }

    // MARK: in-flight records (staged runs)

    var inflightPath: String? { staged.map { "\(inflightFolder)/\($0.run).\($0.task)" } }

    /// A staged map task's in-flight record: the entry names it is about to use (temporary
    /// name, then rename; a failure costs only the cache).
    func recordInflight(_ names: [String]) {
        guard let path = inflightPath else { return }
        do {
            try MapCache.writeList(names, to: path)
        } catch {
            note("map cache: cannot record the entries in use in \(path) (\(MapCache.reason(error))); a concurrent run's merge may remove them")
        }
    }

    /// Removes the in-flight records of staged run `run` (its merge is done with them).
    func removeInflight(run: String) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: inflightFolder)) ?? []
        where name.hasPrefix(run + ".") {
            unlink(inflightFolder + "/" + name)
        }
    }

    /// `lines` written to `path`, one a line, under a temporary name then renamed.
    static func writeList(_ lines: [String], to path: String) throws {
        try ShardFile.writeWhole(Array(lines.map { $0 + "\n" }.joined().utf8), to: path)
    }

    // MARK: runs and pruning

    /// Records the entries this run used under the name of the run folder `OUT/YYYY-MM` now
    /// points to (`runs/<YYYY-MM.stamp>`).
    func recordRun(published link: String) {
        guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: link) else { return }
        let path = runsFolder + "/" + (target as NSString).lastPathComponent
        do {
            try MapCache.writeList(referenced, to: path)
        } catch {
            note("map cache: cannot record the run's entries in \(path) (\(MapCache.reason(error)))")
        }
    }

    /// Removes what no kept run uses: the records of runs whose folder `OUT/.runs/NAME` is gone
    /// (pruned by the publisher's retention, or removed by hand), then every entry that no
    /// remaining record nor in-flight record names and that is over an hour old — this run's
    /// entries are named by its own record. Temporary files older than an hour (a killed
    /// run's) go too.
    /// - Returns: the number of entries removed.
    @discardableResult
    func prune(outputDirectory: String) -> Int {
        let fm = FileManager.default
        let runs = Set((try? fm.contentsOfDirectory(atPath: outputDirectory + "/.runs")) ?? [])
        var keep = Set<String>()
        let hourAgo = Date().addingTimeInterval(-MapCache.recentLifetime)
        func stale(_ path: String) -> Bool {
            let modified = (try? fm.attributesOfItem(atPath: path))?[.modificationDate] as? Date
            return modified.map { $0 < hourAgo } ?? false
        }
        // Only what pws names is ever removed, and only files (unlink, never a folder's
        // contents): a file or folder someone put in the cache, or in a folder the cache's
        // entries folder links to (moved to a bigger disk), is left alone.
        func remove(_ path: String) -> Bool { unlink(path) == 0 }
        for name in (try? fm.contentsOfDirectory(atPath: runsFolder)) ?? [] {
            let path = runsFolder + "/" + name
            if CacheNames.isTemporary(name, of: CacheNames.isRunList) {
                if stale(path) { _ = remove(path) }
                continue
            }
            guard CacheNames.isRunList(name) else { continue }
            guard runs.contains(name) else {
                _ = remove(path)
                continue
            }
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { continue }
            for line in text.split(separator: "\n") { keep.insert(String(line)) }
        }
        // The entries staged map tasks of a run still going use (or have just written).
        let dayAgo = Date().addingTimeInterval(-MapCache.inflightLifetime)
        for name in (try? fm.contentsOfDirectory(atPath: inflightFolder)) ?? [] {
            let path = inflightFolder + "/" + name
            if CacheNames.isTemporary(name, of: CacheNames.isInflight) {
                if stale(path) { _ = remove(path) }
                continue
            }
            guard CacheNames.isInflight(name) else { continue }
            let modified = (try? fm.attributesOfItem(atPath: path))?[.modificationDate] as? Date
            if modified.map({ $0 < dayAgo }) ?? false {
                _ = remove(path)
                continue
            }
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { continue }
            for line in text.split(separator: "\n") { keep.insert(String(line)) }
        }
        // A killed task's temporary files (`NAME.tmp.HOST.PID`): hash index parts, the index.
        for name in (try? fm.contentsOfDirectory(atPath: indexPartsFolder)) ?? []
        where CacheNames.isTemporary(name, of: CacheNames.isIndexPart) {
            let path = indexPartsFolder + "/" + name
            if stale(path) { _ = remove(path) }
        }
        for name in (try? fm.contentsOfDirectory(atPath: folder)) ?? []
        where CacheNames.isTemporary(name, of: { $0 == "hashes.pws" }) {
            let path = folder + "/" + name
            if stale(path) { _ = remove(path) }
        }
        var removed = 0
        for name in (try? fm.contentsOfDirectory(atPath: entriesFolder)) ?? [] {
            let path = entriesFolder + "/" + name
            if CacheNames.isEntry(name) {
                if !keep.contains(String(name.dropLast(4))), stale(path), remove(path) { removed += 1 }
            } else if CacheNames.isTemporary(name, of: CacheNames.isEntry), stale(path) {
                _ = remove(path)
            }
        }
        return removed
    }

    /// The console lines of a run: what was read and reused, then the problems (at most 5,
    /// so the summary stays short).
    func consoleLines() -> [String] {
        var out = ["map cache: \(remapped) of \(remapped + reused) file(s) read, \(reused) from the cache, "
                   + "\(hashed) of \(hashed + trusted) hashed, map \(String(format: "%.2f", mapSeconds)) s (\(folder))"
                   + (rebuilt > 0 ? "; \(rebuilt) entr\(rebuilt == 1 ? "y" : "ies") rebuilt" : "")]
        out += lines.prefix(5)
        if lines.count > 5 { out.append("map cache: … and \(lines.count - 5) more such line(s)") }
        return out
    }
}

// MARK: entries

extension ShardEncoder {
    mutating func fixed64(_ v: UInt64) {
        for k in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(k)))) }
    }

    mutating func account(_ a: FileAccount) {
        string(a.source)
        uint(UInt64(a.rowsRead))
        uint(UInt64(a.rowsRejected))
        uint(UInt64(a.blankRows))
        string(a.encoding)
        string(a.delimiter)
        bool(a.sheets != nil)
        if let sheets = a.sheets { strings(sheets) }
        strings(a.unknownColumns)
    }
}

extension ShardDecoder {
    mutating func fixed64() throws -> UInt64 {
        guard left >= 8 else { throw corrupted() }
        var v: UInt64 = 0
        for k in 0..<8 { v |= UInt64(bytes[at + k]) << (8 * UInt64(k)) }
        at += 8
        return v
    }

    /// Steps over a length-prefixed byte string.
    mutating func skipRaw() throws {
        let n = try uint()
        guard n <= UInt64(left) else { throw corrupted() }
        at += Int(n)
    }

    mutating func account() throws -> FileAccount {
        var a = FileAccount(source: try string())
        a.rowsRead = try index()
        a.rowsRejected = try index()
        a.blankRows = try index()
        a.encoding = try string()
        a.delimiter = try string()
        if try bool() { a.sheets = try strings() }
        a.unknownColumns = try strings()
        return a
    }
}

extension ShardedRun {
    /// The manifest of map task `i` when it used the cache: its files' entries in read order.
    func manifestPath(_ i: Int) -> String { "\(folder)/map/manifest-\(i).pws" }
    /// An entry map task `i` could not put in the cache (file `k` of its share).
    func privateEntryPath(_ i: Int, _ k: Int) -> String { "\(folder)/map/entry-\(i)-\(k).pws" }
    /// Held while a cache entry is rebuilt (`entrySection`).
    static let rebuilding = NSLock()

    /// The sha256 and size of each file of map task `i`'s share, when it used the cache.
    func digestsPath(_ i: Int) -> String { "\(folder)/map/digests-\(i).pws" }

    /// Writes map task `task`'s file digests (kind `map-digests`): per file in read order the
    /// sha256 its map is of and its size as hashed (with the cache, the hash its entry is keyed
    /// by; without, the bytes as they were read). The merge puts them in run.json instead of
    /// reading every input file again to hash it — so a warm rerun reads only its new files, and
    /// run.json names the bytes the numbers are of, whatever became of the file since.
    func writeDigests(_ task: Int, key: ShardRunKey, hashes: [String], sizes: [Int]) throws {
        var e = ShardEncoder()
        e.uint(UInt64(hashes.count))
        for (sha256, size) in zip(hashes, sizes) {
            e.string(sha256)
            e.uint(UInt64(size))
        }
        try ShardFile.write(ShardHeader(kind: "map-digests", task: task, key: key), payload: e.bytes, to: digestsPath(task))
    }

    /// Every file's digest from the map tasks' digests files, in read order; nil when a map
    /// task wrote none (one of an earlier version of pws: the merge hashes the files itself).
    /// - Throws: `.data` for a digests file that is damaged, of another run, or that does not
    ///   list its task's share of `files` files.
    func readDigests(key: ShardRunKey, files: Int) throws -> [ContentDigest]? {
        var digests: [ContentDigest] = []
        digests.reserveCapacity(files)
        for i in 0..<key.mapTasks {
            let path = digestsPath(i)
            guard FileManager.default.fileExists(atPath: path) else { return nil }
            let (_, payload) = try ShardFile.read(path, kind: "map-digests", expected: key, place: ShardPlace(task: i))
            digests += try ShardedRun.decodeDigests(payload, path: path,
                                                    count: ShardedRun.share(files: files, task: i, tasks: key.mapTasks).count)
        }
        return digests
    }

    /// The payload of a digests file that lists `count` files.
    /// - Throws: `.data` when it lists another number, a digest is not 64 lower-case hex digits,
    ///   or anything is left over.
    static func decodeDigests(_ payload: [UInt8], path: String, count: Int) throws -> [ContentDigest] {
        var d = ShardDecoder(payload, path: path)
        guard try d.count() == count else { throw d.corrupted() }
        var digests: [ContentDigest] = []
        digests.reserveCapacity(count)
        for _ in 0..<count {
            guard let digest = ContentDigest(hex: try d.string(), bytes: try d.index()) else { throw d.corrupted() }
            digests.append(digest)
        }
        guard d.atEnd else { throw d.corrupted() }
        return digests
    }

    /// `map` with the incremental cache (`mapCache` set): no partition files, but a manifest
    /// naming each file's entry (kind `map-manifest`), and the same summary as `map`.
    func mapIncremental(cache: MapCache, task: Int, tasks: Int, partitions: Int, data: String,
                        settings: ValidationSettings, register: AreaRegister, listing: ServiceFileListing,
                        key: ShardRunKey, range: Range<Int>, pipeline: LoadedPipeline) throws -> RunReport {
        let started = Date()
        defer { cache.mapSeconds += Date().timeIntervalSince(started) }
        let sources = Array(listing.files[range])
        let listed = listing.stats.count == listing.files.count ? Array(listing.stats[range]) : nil
        let map = try IncrementalMap(cache: cache, data: data, settings: settings, register: register,
                                     sources: sources, listed: listed, run: key, partitions: partitions,
                                     privatePath: { [self] in ShardedRun.absolute(privateEntryPath(task, $0)) })
        CrashPoint.hit("map-hashed")
        let names = map.names, hashes = map.hashes
        // The hash index is written on a thread of its own while this one records the names in
        // flight and lists the entries; its console line, if any, keeps its place before theirs.
        let linesBefore = cache.lines.count
        let (indexLine, existing) = Parallel.pair({ cache.writeIndex(map.indexRecords) }, {
            cache.recordInflight(names)
            return cache.entryNames()
        })
        if let indexLine { cache.lines.insert(indexLine, at: linesBefore) }
        try map.run(existing: existing)
        // The entries used (an entry keyed without today that holds for other todays only is
        // not: once no kept run uses it, it is pruned, and the file's next run writes one that
        // holds for its today).
        let used = map.usedNames
        cache.referenced += used
        let outline = map.outline
        // The manifest and the summary (with every per-row reject of the task's files) are
        // encoded at once, on two threads; the summary is written last, as before, so that a
        // summary still means the task's manifest is there.
        let (manifestImage, summaryImage) = Parallel.pair({
            var manifest = ShardEncoder()
            manifest.uint(UInt64(range.lowerBound))
            manifest.uint(UInt64(outline.layouts.count))
            for (l, sha256) in zip(outline.layouts, hashes) {
                manifest.string(l.path)
                manifest.string(l.source)
                manifest.string(sha256)
                for v in [l.size, l.dataStart, l.tableLength] { manifest.uint(UInt64(v)) }
                manifest.uint(UInt64(l.lengths.count))
                for v in l.lengths { manifest.uint(UInt64(v)) }
            }
            return Result { try ShardFile.image(ShardHeader(kind: "map-manifest", task: task, key: key),
                                                payloads: [manifest.bytes]).bytes }
        }, {
            let summary = ShardedRun.encodeSummary(
                offset: range.lowerBound, accounts: outline.accounts, rejectCount: outline.rejectCount,
                rejects: outline.rejects, notes: outline.notes, unregistered: outline.unregistered,
                unreadable: listing.unreadable, readingCPU: map.readingCPU, checkingCPU: map.checkingCPU)
            return Result { try ShardFile.image(ShardHeader(kind: "map-summary", task: task, key: key),
                                                payloads: summary).bytes }
        })
        try ShardFile.writeWhole(try manifestImage.get(), to: manifestPath(task))
        try writeDigests(task, key: key, hashes: hashes, sizes: map.sizes)
        if cache.staged != nil {
            // Rewritten at the end too, so its day of protection counts from the task's end.
            cache.recordInflight(used)
            try writeCacheUse(cache, task: task, key: key, seconds: Date().timeIntervalSince(started))
        }
        try ShardFile.writeWhole(try summaryImage.get(), to: summaryPath(task))
        return RunReport(exitStatus: .success, lines: [
            "map \(task) of \(tasks): \(range.count) file(s), \(outline.accounts.reduce(0) { $0 + $1.rowsRead }) rows, \(outline.candidates) passed the per-row rules, \(outline.rejectCount) rejected; \(partitions) partitions in \(folder)/map/ (from \(outline.layouts.count) cache entries)",
        ], folder: nil)
    }

    /// Map task `i`'s manifest, or nil when the task wrote partition files (no cache): per
    /// file in read order its entry's layout and the sha256 of the file's bytes its map was of.
    /// - Throws: `.inputMissing` naming the manifest when the task used the cache (its
    ///   `cache-i.pws` is there) but the manifest is gone — not the partition files it never wrote.
    func readManifest(_ i: Int, key: ShardRunKey) throws -> (offset: Int, layouts: [MapEntryLayout], hashes: [String])? {
        let path = manifestPath(i)
        guard FileManager.default.fileExists(atPath: path) else {
            guard FileManager.default.fileExists(atPath: cacheUsePath(i)) else { return nil }
            throw ShardFile.missing(path)
        }
        let (_, payload) = try ShardFile.read(path, kind: "map-manifest", expected: key, place: ShardPlace(task: i))
        var d = ShardDecoder(payload, path: path)
        let offset = try d.index()
        var hashes: [String] = []
        let layouts = try (0..<d.count()).map { _ in
            let path = try d.string(), source = try d.string()
            hashes.append(try d.string())
            return MapEntryLayout(path: path, source: source, size: try d.index(), dataStart: try d.index(),
                                  tableLength: try d.index(), lengths: try (0..<d.count()).map { _ in try d.index() })
        }
        guard d.atEnd, offset <= Int(Int32.max),
              layouts.allSatisfy({ $0.partitions == key.partitions && $0.isConsistent }),
              layouts.indices.allSatisfy({ ShardedRun.isEntryPath(layouts[$0].path, task: i, n: $0) }) else {
            throw d.corrupted()
        }
        return (offset, layouts, hashes)
    }

    /// Where a manifest may point — dedup and reduce read, rewrite and on failure remove the
    /// file named there: a cache entry (`OUT/.cache/map/entries/<64 hex digits>.pws`) or the
    /// map task's own entry of a file the cache could not take (`map/entry-<task>-<n>.pws`).
    static func isEntryPath(_ path: String, task: Int, n: Int) -> Bool {
        // On the UTF-8 bytes: every dedup and reduce task checks every entry of every manifest.
        let bytes = Array(path.utf8)
        var parts: [Range<Int>] = []
        var start = 0
        for (i, b) in bytes.enumerated() where b == UInt8(ascii: "/") {
            parts.append(start..<i)
            start = i + 1
        }
        parts.append(start..<bytes.count)
        func part(_ k: Int) -> ArraySlice<UInt8> { bytes[parts[k]] }
        guard parts.count >= 3,
              !parts.contains(where: { bytes[$0].elementsEqual(".".utf8) || bytes[$0].elementsEqual("..".utf8) }) else {
            return false
        }
        let last = part(parts.count - 1)
        if last.elementsEqual("entry-\(task)-\(n).pws".utf8) { return part(parts.count - 2).elementsEqual("map".utf8) }
        guard parts.count >= 4, last.count == 68, last.suffix(4).elementsEqual(".pws".utf8),
              part(parts.count - 4).elementsEqual(".cache".utf8), part(parts.count - 3).elementsEqual("map".utf8),
              part(parts.count - 2).elementsEqual("entries".utf8) else { return false }
        return last.prefix(64).allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
    }

    /// Section `section` of entry `n` of map task `task`'s manifest (its file's bytes of sha256
    /// `sha256`), for dedup or reduce task `repairs.task`. An entry that cannot be read as its
    /// map task saw it (removed, truncated, rewritten, a block corrupted) is never trusted: its
    /// file is read again with the per-row rules (`rebuildEntry`), the section taken from the
    /// rebuilt entry, the entry written back (a failure to write costs only the cache) and one
    /// console line says so. When the file can no longer give the map its map task recorded
    /// (changed or gone since), the entry is removed and the task fails naming the map task to
    /// rerun.
    func entrySection(_ layout: MapEntryLayout, section: Int, task: Int, n: Int, sha256: String, key: ShardRunKey,
                      repairs: EntryRepairs) throws -> [UInt8] {
        let problem: String
        do {
            return try MapEntry.read(layout, section: section)
        } catch {
            problem = MapCache.reason(error)
        }
        // One rebuild at a time in this process, and the entry read again first: the tasks of
        // `pws run --partitions` may run at once, and a task that meets an entry another task
        // has just rebuilt takes it (one rebuild and one line, as when they run in turn).
        ShardedRun.rebuilding.lock()
        defer { ShardedRun.rebuilding.unlock() }
        if let section = try? MapEntry.read(layout, section: section) { return section }
        let sections: [[UInt8]], header: ShardHeader
        do {
            (sections, header) = try rebuildEntry(layout, task: task, n: n, sha256: sha256, key: key, repairs: repairs)
        } catch {
            unlink(layout.path)
            throw PWSError(.data, "map cache: \(problem) (the map of \(layout.source)), and it cannot be rebuilt here: \(MapCache.reason(error)); it was removed — run map task \(task) again (it reads that file again and rebuilds its entry), then dedup and reduce")
        }
        var line = "map cache: the entry of \(layout.source) cannot be used (\(problem)); \(repairs.stage) task \(repairs.task) read the file again and rebuilt its entry"
        do {
            try MapEntry.write(sections, header: header, to: layout.path, source: layout.source)
        } catch {
            // Removed, the next map reads the file again; a folder where it cannot be removed
            // either (read-only, immutable) keeps the damaged entry, met and rebuilt each run.
            line += unlink(layout.path) == 0 || errno == ENOENT
                ? ", but cannot write it back (\(MapCache.reason(error))); that file will be read again next time"
                : ", but can neither write it back (\(MapCache.reason(error))) nor remove it (\(String(cString: strerror(errno)))); every run will meet it and rebuild it again until the cache folder is writable"
        }
        // A one-process run takes its tasks' lines into the cache's in task order (`runStages`,
        // `noteRebuilt`): its tasks may run at once.
        repairs.lines.append(line)
        return sections[1 + section]
    }

    /// Entry `n` of map task `task`'s manifest built again from its file, as a map task builds
    /// it when the file has no usable entry (`Validation.runMap` with the run's settings and
    /// register, `MapEntryBuilder`), and checked against what the map task recorded: the file's
    /// sha256, the entry's layout (every section's length) and the file's account in the map
    /// summary.
    /// - Returns: the entry's sections (table first) and header, ready to be written.
    func rebuildEntry(_ layout: MapEntryLayout, task: Int, n: Int, sha256: String, key: ShardRunKey,
                      repairs: EntryRepairs) throws -> ([[UInt8]], ShardHeader) {
        let file = key.dataDirectory + "/" + layout.source
        let now: String
        do {
            now = try FileDigest.sha256(path: file).hex
        } catch {
            throw PWSError(.data, "\(file) cannot be read (\(MapCache.reason(error)))")
        }
        guard now == sha256 else {
            throw PWSError(.data, "\(file) changed since map task \(task) read it (its sha256 differs), so the map summary no longer describes it")
        }
        let inputs = try repairs.inputs(runner: runner, data: key.dataDirectory)
        func entryKey(_ todaySpecific: Bool) -> ShardRunKey {
            MapCache.entryKey(run: key, path: layout.source, sha256: sha256, todaySpecific: todaySpecific)
        }
        // Keyed with today or not as the entry the map task used: the two keys differ in their
        // today ("" or the run's), so their headers, and where the payload starts, differ.
        let todaySpecific = layout.dataStart != (try ShardFile.head(ShardHeader(kind: MapCache.entryKind, task: 0,
                                                                              key: entryKey(false)))).count
        // Built with the run's today: the map task used the entry only when it held for it, so
        // the sections have the lengths it recorded (an E-FUTURE message names a today of as
        // many characters).
        let sections = try MapEntry.build(data: key.dataDirectory, settings: inputs.settings, register: inputs.register,
                                          source: layout.source, name: MapCache.entryName(entryKey(todaySpecific)),
                                          partitions: key.partitions)
        let header = ShardHeader(kind: MapCache.entryKind, task: 0, key: entryKey(todaySpecific))
        let rebuilt = try MapEntry.layout(of: sections, header: header, path: layout.path, source: layout.source)
        let summary = try readSummary(task, key: key)
        var d = ShardDecoder(sections[1], path: layout.path)
        let account = try d.account()
        guard rebuilt == layout, n < summary.accounts.count, summary.accounts[n] == account else {
            throw PWSError(.data, "reading \(file) again gives another map than map task \(task) recorded")
        }
        return (sections, header)
    }
}

/// What a dedup or reduce task needs to rebuild the entries it cannot use, and the console
/// lines it prints about them; the run's settings and register are loaded at the first one.
final class EntryRepairs {
    let stage: String
    let task: Int
    var lines: [String] = []
    private var loaded: (settings: ValidationSettings, register: AreaRegister)?

    init(stage: String, task: Int) {
        self.stage = stage
        self.task = task
    }

    func inputs(runner: PipelineRunner, data: String) throws -> (settings: ValidationSettings, register: AreaRegister) {
        if let loaded { return loaded }
        let settings = runner.validationSettings(try runner.loadPipeline(indicators: false))
        let register = try Validation.loadRegister(dataDirectory: data, settings: settings).register
        loaded = (settings, register)
        return (settings, register)
    }
}

// MARK: the cache of a staged run

/// What one map task of a staged run did with the cache (`map/cache-i.pws`).
struct MapCacheUse {
    var folder: String
    var run: String
    var reused = 0, remapped = 0, rebuilt = 0, hashed = 0, trusted = 0
    var seconds = 0.0
    var lines: [String] = []
    var names: [String] = []
}

extension ShardedRun {
    /// Written by a staged map task with the cache before its summary (kind `map-cache-use`).
    func writeCacheUse(_ cache: MapCache, task: Int, key: ShardRunKey, seconds: Double) throws {
        var e = ShardEncoder()
        e.string(cache.folder)
        e.string(cache.staged?.run ?? "")
        for n in [cache.reused, cache.remapped, cache.rebuilt, cache.hashed, cache.trusted] { e.uint(UInt64(n)) }
        e.double(seconds)
        e.strings(cache.lines)
        e.strings(cache.referenced)
        try ShardFile.write(ShardHeader(kind: "map-cache-use", task: task, key: key), payload: e.bytes,
                            to: cacheUsePath(task))
    }

    func readCacheUse(_ task: Int, key: ShardRunKey) throws -> MapCacheUse {
        let path = cacheUsePath(task)
        let (_, payload) = try ShardFile.read(path, kind: "map-cache-use", expected: key, place: ShardPlace(task: task))
        var d = ShardDecoder(payload, path: path)
        var use = MapCacheUse(folder: try d.string(), run: try d.string())
        use.reused = try d.index()
        use.remapped = try d.index()
        use.rebuilt = try d.index()
        use.hashed = try d.index()
        use.trusted = try d.index()
        use.seconds = try d.double()
        use.lines = try d.strings()
        use.names = try d.strings()
        guard d.atEnd else { throw d.corrupted() }
        return use
    }

    /// The merge of a staged run whose map tasks used the cache (`pws map --incremental`),
    /// under OUT's run lock: the console lines (files read and from the cache over all map
    /// tasks, then at most five lines about entries); the hash index parts folded into
    /// `hashes.pws`; after a published run, the run's entries recorded under its run folder
    /// and the entries no kept run (nor a run still mapping) uses pruned, as `pws run
    /// --partitions P --incremental` does; the run's in-flight records removed (also when the
    /// map tasks' records disagree or cannot be read, when nothing else is done). What fails
    /// here costs only the cache (a console line), never the run.
    func finishMapCache(key: ShardRunKey, sources: [String], report: inout RunReport, out: String) {
        var uses: [MapCacheUse] = []
        var problems: [String] = []
        for i in 0..<key.mapTasks where FileManager.default.fileExists(atPath: cacheUsePath(i)) {
            do {
                uses.append(try readCacheUse(i, key: key))
            } catch {
                problems.append("map cache: \(cacheUsePath(i)) cannot be used (\(MapCache.reason(error)))")
            }
        }
        // This run's in-flight records, wherever its map tasks wrote them (OUT/.cache/map/,
        // under the name this merge gives the run, or under the names the tasks gave it).
        func removeInflight() {
            let runs = Set([cacheRunName] + uses.map(\.run))
            for folder in Set([ShardedRun.absolute(out) + "/.cache/map"] + uses.map(\.folder)) {
                let cache = MapCache(folder: folder, options: MapCacheOptions())
                for run in runs { cache.removeInflight(run: run) }
            }
        }
        guard let first = uses.first else {
            if !problems.isEmpty { removeInflight() }
            report.lines.insert(contentsOf: problems, at: 0)
            return
        }
        let cache = MapCache(folder: first.folder, options: MapCacheOptions())
        for use in uses {
            cache.reused += use.reused
            cache.remapped += use.remapped
            cache.rebuilt += use.rebuilt
            cache.hashed += use.hashed
            cache.trusted += use.trusted
            cache.mapSeconds += use.seconds
            cache.lines += use.lines
        }
        cache.lines += problems
        let folders = Set(uses.map(\.folder)), runs = Set(uses.map(\.run))
        if uses.count == key.mapTasks, problems.isEmpty, folders.count == 1, runs.count == 1 {
            cache.consolidateIndex(paths: sources.map { key.dataDirectory + "/" + $0 })
            if report.exitStatus == .success, let link = report.folder {
                cache.referenced = uses.flatMap(\.names)
                cache.recordRun(published: link)
                cache.removeInflight(run: first.run)
                cache.prune(outputDirectory: out)
            } else {
                cache.removeInflight(run: first.run)
            }
        } else {
            let why: String
            if uses.count < key.mapTasks {
                why = "\(key.mapTasks - uses.count) of \(key.mapTasks) map task(s) left no usable record of the cache (run without --incremental, or the record cannot be read)"
            } else if folders.count > 1 {
                why = "the map tasks used \(folders.count) cache folders (\(folders.sorted().joined(separator: ", ")))"
            } else {
                why = "the map tasks named the run \(runs.count) ways (\(runs.sorted().joined(separator: ", ")): the shared folder's path differs between their nodes)"
            }
            cache.note("map cache: \(why); the run is not recorded in the cache and nothing is pruned")
            removeInflight()
        }
        report.lines.insert(contentsOf: cache.consoleLines(), at: 0)
    }
}

/// The names pws gives what it writes under `OUT/.cache/map/`: the prune removes nothing else.
enum CacheNames {
    /// An entry: the 64 hex digits of its key, `.pws`.
    static func isEntry(_ name: String) -> Bool {
        let b = Array(name.utf8)
        return b.count == 68 && name.hasSuffix(".pws") && b[..<64].allSatisfy(isHex)
    }

    /// A run's list of entries: the name of its run folder, `YYYY-MM.YYYYMMDDTHHMMSS.mmmZ`
    /// (`-N` after it when two runs of a month started in the same millisecond).
    static func isRunList(_ name: String) -> Bool {
        let b = Array(name.utf8)
        guard b.count >= 28 else { return false }
        let shape = Array("0000-00.00000000T000000.000Z".utf8)
        for (i, c) in shape.enumerated() where c == UInt8(ascii: "0") ? !isDigit(b[i]) : b[i] != c { return false }
        let rest = b[28...]
        return rest.isEmpty || (rest.count >= 2 && rest.first == UInt8(ascii: "-") && rest.dropFirst().allSatisfy(isDigit))
    }

    /// An in-flight record: a run's 16 hex digits, `.`, its map task.
    static func isInflight(_ name: String) -> Bool {
        let b = Array(name.utf8)
        return b.count >= 18 && b[..<16].allSatisfy(isHex) && b[16] == UInt8(ascii: ".") && b[17...].allSatisfy(isDigit)
    }

    /// A hash index part: an in-flight record's name, `.pws`.
    static func isIndexPart(_ name: String) -> Bool {
        name.hasSuffix(".pws") && isInflight(String(name.dropLast(4)))
    }

    /// A temporary file of a name `base` accepts: `BASE.tmp.HOST.PID[.N]`, or with a dot
    /// before it (`.BASE.tmp.HOST.PID`) — the host any text, the process id a number.
    static func isTemporary(_ name: String, of base: (String) -> Bool) -> Bool {
        guard let marker = name.range(of: ".tmp.") else { return false }
        var stem = name[..<marker.lowerBound]
        if stem.hasPrefix(".") { stem = stem.dropFirst() }
        // HOST.PID or HOST.PID.N: the last one or two parts numbers, a host before them.
        var parts = name[marker.upperBound...].split(separator: ".", omittingEmptySubsequences: false)
        func number(_ p: Substring?) -> Bool { p.map { !$0.isEmpty && $0.utf8.allSatisfy(isDigit) } ?? false }
        guard parts.count >= 2, number(parts.last) else { return false }
        if parts.count >= 3, number(parts[parts.count - 2]) { parts.removeLast() }
        return !parts.dropLast().joined(separator: ".").isEmpty && base(String(stem))
    }

    private static func isHex(_ c: UInt8) -> Bool {
        isDigit(c) || (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "f"))
    }

    private static func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }
}
