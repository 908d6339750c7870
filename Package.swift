// swift-tools-version: 6.0
import PackageDescription
import Foundation  // ProcessInfo, for the fuzz targets at the end

// Dependencies are the copies on this machine (see docs/dependencies.md for why each is here).
let package = Package(
    name: "pws",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "pws", targets: ["pws"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        // The C library, nothing else. Debian ships no pkg-config file for libcsv.
        .systemLibrary(
            name: "CLibCSV",
            providers: [.apt(["libcsv-dev"])]
        ),
        // libxlsxwriter, nothing else: the writer of pws.xlsx (Export/Workbook).
        .systemLibrary(
            name: "CLibXlsxWriter",
            pkgConfig: "xlsxwriter",
            providers: [.apt(["libxlsxwriter-dev"])]
        ),
        // libxml2, nothing else: the streaming XML reader (xmlTextReader) of .xlsx inputs.
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),
        // minizip (zlib's contrib), nothing else: the parts of an .xlsx, inflated as they are read.
        .systemLibrary(
            name: "CMinizip",
            pkgConfig: "minizip",
            providers: [.apt(["libminizip-dev"])]
        ),
        // yajl, nothing else: the streaming JSON parser of FHIR inputs (Ingest/FHIR).
        .systemLibrary(
            name: "CYAJL",
            pkgConfig: "yajl",
            providers: [.apt(["libyajl-dev"])]
        ),
        // The prefetch hint of Validate's hash tables: one static inline C function.
        .target(name: "CPrefetch"),
        // Shared vocabulary: dates, area labels, identifiers, rule codes, diagnostics, errors.
        .target(name: "PWSCore", exclude: ["README.md"]),
        // Thread helpers: a lock, queues, an ordered hand-off, a background thread, fork–join.
        .target(name: "Concurrency", dependencies: ["PWSCore"], exclude: ["README.md"]),
        // CSV reading (the §2.1 dialect) and writing over libcsv. The only module that imports CLibCSV;
        // swift-crypto hashes an input's bytes as they are read (run.json's input digests).
        .target(name: "CSV", dependencies: ["PWSCore", "CLibCSV", "CPrefetch", .product(name: "Crypto", package: "swift-crypto")],
                exclude: ["README.md"]),
        // Bytes → records: a CSV file's, worksheet's or FHIR export's records mapped onto a table
        // schema; the xlsx and FHIR readers. The only module that imports CLibXML2, CMinizip, CYAJL.
        .target(name: "Ingest", dependencies: ["PWSCore", "CSV", "CLibXML2", "CMinizip", "CYAJL"], exclude: ["README.md"]),
        // Records → accepted events + rejects/warnings.
        .target(name: "Validate", dependencies: ["PWSCore", "Concurrency", "CSV", "Ingest", "CPrefetch"], exclude: ["README.md"]),
        // Events → indicator values; growth months and the follow-up list (z-scores from Growth).
        .target(name: "Aggregate", dependencies: ["PWSCore", "Concurrency", "Growth"], exclude: ["README.md"]),
        // Values → CSV tables, report, manifest; atomic publish.
        .target(name: "Export", dependencies: [
            "PWSCore", "Concurrency", "CSV", "Aggregate", "Growth", "CLibXlsxWriter",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Mustache", package: "swift-mustache"),
        ], exclude: ["README.md"]),
        // The WHO 2006 Child Growth Standards: tables in memory and z-scores (§A4).
        .target(name: "Growth", dependencies: ["PWSCore"], exclude: ["README.md"]),
        // What changed between two published runs (`pws diff`).
        .target(name: "RunDiff", dependencies: ["PWSCore", "CSV"], exclude: ["README.md"]),
        // Synthetic data folders in the §2 format (`pws generate`).
        .target(name: "Synthetic", dependencies: ["PWSCore", "CSV", "Ingest", "CLibXlsxWriter"], exclude: ["README.md"]),
        // Pipeline definitions (YAML) and the run that wires the stages. pipelines/*.yaml are
        // built in (EmbedPipelines), so an installed binary needs no files beside it.
        .target(name: "Pipeline", dependencies: [
            "PWSCore", "Concurrency", "CSV", "Validate", "Aggregate", "Export", "Growth", "CMinizip",
            .product(name: "Yams", package: "Yams"),
            .product(name: "Logging", package: "swift-log"),
        ], exclude: ["README.md"], plugins: ["EmbedPipelines"]),
        // Build-time only: pipelines/*.yaml → a Swift source with their bytes.
        .plugin(name: "EmbedPipelines", capability: .buildTool(), exclude: ["embed.sh"]),
        // swift-argument-parser commands, one file each.
        .target(name: "PWSCommands", dependencies: [
            "PWSCore", "CSV", "Ingest", "Export", "Pipeline", "RunDiff", "Synthetic",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ], exclude: ["README.md"]),
        // @main only.
        .executableTarget(name: "pws", dependencies: ["PWSCommands", "CPrefetch"]),

        .testTarget(name: "PWSCoreTests", dependencies: ["PWSCore"]),
        .testTarget(name: "ConcurrencyTests", dependencies: ["Concurrency", "PWSCore"]),
        .testTarget(name: "CSVTests", dependencies: ["CSV", "CPrefetch", "PWSCore", "PWSTestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "IngestTests", dependencies: ["Ingest", "CSV", "PWSCore", "PWSTestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ValidateTests", dependencies: ["Validate", "Ingest", "CSV", "PWSCore", "PWSTestSupport"]),
        // What several test targets share: the register-and-events fixture of the Aggregate and
        // Pipeline tests, a seeded random generator, and a temporary folder.
        .target(name: "PWSTestSupport", dependencies: ["Aggregate", "PWSCore"],
                path: "Tests/PWSTestSupport"),
        .testTarget(name: "AggregateTests", dependencies: ["Aggregate", "Growth", "PWSCore", "PWSTestSupport"]),
        .testTarget(name: "ExportTests", dependencies: ["Export", "Aggregate", "CSV", "PWSCore", "PWSTestSupport"]),
        .testTarget(name: "GrowthTests", dependencies: ["Growth", "PWSCore"], exclude: ["Fixtures"]),
        .testTarget(name: "SyntheticTests", dependencies: ["Synthetic", "CSV", "Ingest", "PWSCore"]),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline", "Concurrency", "Growth", "PWSCore", "PWSTestSupport", "Synthetic",
                                                   .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "PWSCommandsTests", dependencies: ["PWSCommands", "PWSCore", "Concurrency"]),
        .testTarget(name: "RunDiffTests", dependencies: ["RunDiff", "PWSCore"]),
    ]
)

// libFuzzer targets (docs/fuzzing.md). They exist only when `PWS_FUZZ=1` is in the environment,
// which `scripts/fuzz.sh` sets for its own scratch path (`.build-fuzz`, built with
// `--sanitize fuzzer -Xswiftc -sanitize=fuzzer,address`): a plain `swift build` or `swift test`
// neither sees nor builds them, and they have no `main` of their own (libFuzzer provides it).
if ProcessInfo.processInfo.environment["PWS_FUZZ"] == "1" {
    package.targets += [
        .executableTarget(name: "FuzzCSVReader", dependencies: ["CSV", "Ingest", "PWSCore"],
                          path: "Tests/Fuzz/FuzzCSVReader"),
        .executableTarget(name: "FuzzServiceRows", dependencies: ["Validate", "Pipeline", "Export", "CSV", "Ingest", "PWSCore"],
                          path: "Tests/Fuzz/FuzzServiceRows"),
        .executableTarget(name: "FuzzCatalogues", dependencies: ["Pipeline", "PWSCore"],
                          path: "Tests/Fuzz/FuzzCatalogues"),
        .executableTarget(name: "FuzzFHIR", dependencies: ["Validate", "Pipeline", "Export", "Ingest", "PWSCore"],
                          path: "Tests/Fuzz/FuzzFHIR"),
        // minizip's zip writer: FuzzWorkbook packs fuzzed XML parts into an .xlsx with it.
        .systemLibrary(name: "CMinizipZip", path: "Tests/Fuzz/CMinizipZip", pkgConfig: "minizip"),
        .executableTarget(name: "FuzzWorkbook", dependencies: ["Validate", "Pipeline", "Export", "PWSCore", "CMinizipZip"],
                          path: "Tests/Fuzz/FuzzWorkbook"),
        .executableTarget(name: "FuzzDHIS2Mapping", dependencies: ["Pipeline", "Export", "PWSCore"],
                          path: "Tests/Fuzz/FuzzDHIS2Mapping"),
        .executableTarget(name: "FuzzShardFile", dependencies: ["Pipeline", "PWSCore"],
                          path: "Tests/Fuzz/FuzzShardFile"),
    ]
}
