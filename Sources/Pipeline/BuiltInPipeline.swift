import Foundation

/// The default pipeline and its catalogues, built into the binary from `pipelines/*.yaml` by
/// the EmbedPipelines build-tool plugin, so an installed `pws` runs from any folder.
///
/// They are addressed by paths under `directory` (`(built-in)/default.yaml`), which is what
/// `run.json` records as the pipeline's path; every loader reads them through
/// `PipelineFiles`, so a built-in catalogue and one on disk take the same code.
public enum BuiltInPipeline {
    /// The virtual folder of the built-in files.
    public static let directory = "(built-in)"
    /// The default pipeline, used when no `--pipeline` is given.
    public static let defaultPath = directory + "/default.yaml"
    /// The virtual folder of the built-in WHO growth tables (`pipelines/growth/who2006/*.csv`),
    /// what a pipeline without `growth_tables:` uses.
    public static let growthTablesDirectory = directory + "/growth/who2006"

    /// The built-in files' names, sorted (`default.yaml`, `indicators.yaml`, `services.yaml`).
    public static var fileNames: [String] { files.keys.sorted() }

    /// The bytes of a built-in file by name (`services.yaml`), or nil.
    public static func contents(ofFile name: String) -> Data? { files[name] }

    /// Whether `path` names a built-in file (it lies under `directory`).
    public static func isBuiltIn(_ path: String) -> Bool { path.hasPrefix(directory + "/") }

    /// The built-in WHO growth tables' file names, sorted (`acfa.csv` … `wfl.csv`).
    public static var growthTableNames: [String] { BuiltInGrowthTableFiles.base64.keys.sorted() }

    /// The bytes of a built-in WHO growth table by file name (`wfa.csv`), or nil.
    public static func growthTable(_ name: String) -> Data? {
        BuiltInGrowthTableFiles.base64[name].flatMap { Data(base64Encoded: $0) }
    }

    private static let files: [String: Data] = BuiltInPipelineFiles.base64.compactMapValues {
        Data(base64Encoded: $0)
    }
}

/// Reads pipeline and catalogue files, built-in or on disk.
public enum PipelineFiles {
    /// The file's bytes, or nil when it does not exist or cannot be read.
    public static func contents(atPath path: String) -> Data? {
        let tables = BuiltInPipeline.growthTablesDirectory + "/"
        if path.hasPrefix(tables) {
            return BuiltInPipeline.growthTable(String(path.dropFirst(tables.count)))
        }
        if BuiltInPipeline.isBuiltIn(path) {
            return BuiltInPipeline.contents(ofFile: String(path.dropFirst(BuiltInPipeline.directory.count + 1)))
        }
        // Only a regular file is opened: a FIFO would hold the run, a device feed it for ever.
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        return FileManager.default.contents(atPath: path)
    }

    /// Whether the file exists (built-in, or on disk).
    public static func exists(_ path: String) -> Bool {
        BuiltInPipeline.isBuiltIn(path) ? contents(atPath: path) != nil : FileManager.default.fileExists(atPath: path)
    }
}
