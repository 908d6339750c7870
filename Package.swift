// swift-tools-version: 6.0
import PackageDescription

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
        // Shared vocabulary: dates, area labels, identifiers, rule codes, diagnostics, errors.
        .target(name: "PWSCore", exclude: ["README.md"]),
        // Bytes → records. The only module that imports CLibCSV, CLibXML2, CMinizip and CYAJL.
        .target(name: "Ingest", dependencies: ["PWSCore", "CLibCSV", "CLibXML2", "CMinizip", "CYAJL"], exclude: ["README.md"]),
        // Records → accepted events + rejects/warnings.
        .target(name: "Validate", dependencies: ["PWSCore", "Ingest", "CLibCSV"], exclude: ["README.md"]),
        // Events → indicator values.
        .target(name: "Aggregate", dependencies: ["PWSCore"], exclude: ["README.md"]),
        // Values → CSV tables, report, manifest; atomic publish.
        .target(name: "Export", dependencies: [
            "PWSCore", "Ingest", "Aggregate", "CLibXlsxWriter",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Mustache", package: "swift-mustache"),
        ], exclude: ["README.md"]),
        // The WHO 2006 Child Growth Standards: tables in memory and z-scores (§A4).
        .target(name: "Growth", dependencies: ["PWSCore"], exclude: ["README.md"]),
        // What changed between two published runs (`pws diff`).
        .target(name: "RunDiff", dependencies: ["PWSCore", "Ingest"], exclude: ["README.md"]),
        // Synthetic data folders in the §2 format (`pws generate`).
        .target(name: "Synthetic", dependencies: ["PWSCore", "Ingest", "CLibXlsxWriter"], exclude: ["README.md"]),
        // Pipeline definitions (YAML) and the run that wires the stages. pipelines/*.yaml are
        // built in (EmbedPipelines), so an installed binary needs no files beside it.
        .target(name: "Pipeline", dependencies: [
            "PWSCore", "Ingest", "Validate", "Aggregate", "Export",
            .product(name: "Yams", package: "Yams"),
            .product(name: "Logging", package: "swift-log"),
        ], exclude: ["README.md"], plugins: ["EmbedPipelines"]),
        // Build-time only: pipelines/*.yaml → a Swift source with their bytes.
        .plugin(name: "EmbedPipelines", capability: .buildTool(), dependencies: ["PipelineEmbedder"]),
        .executableTarget(name: "PipelineEmbedder", path: "Plugins/PipelineEmbedder"),
        // swift-argument-parser commands, one file each.
        .target(name: "PWSCommands", dependencies: [
            "PWSCore", "Ingest", "Export", "Pipeline", "RunDiff", "Synthetic",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ], exclude: ["README.md"]),
        // @main only.
        .executableTarget(name: "pws", dependencies: ["PWSCommands"]),

        .testTarget(name: "PWSCoreTests", dependencies: ["PWSCore"]),
        .testTarget(name: "IngestTests", dependencies: ["Ingest", "PWSCore"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "ValidateTests", dependencies: ["Validate", "Ingest", "PWSCore", "PWSTestSupport"]),
        // What several test targets share: the register-and-events fixture of the Aggregate and
        // Pipeline tests, and a seeded random generator.
        .target(name: "PWSTestSupport", dependencies: ["Aggregate", "PWSCore"],
                path: "Tests/PWSTestSupport"),
        .testTarget(name: "AggregateTests", dependencies: ["Aggregate", "PWSCore", "PWSTestSupport"]),
        .testTarget(name: "ExportTests", dependencies: ["Export", "Aggregate", "Ingest", "PWSCore", "PWSTestSupport"]),
        .testTarget(name: "GrowthTests", dependencies: ["Growth", "PWSCore"], exclude: ["Fixtures"]),
        .testTarget(name: "SyntheticTests", dependencies: ["Synthetic", "Ingest", "PWSCore"]),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline", "PWSCore", "PWSTestSupport"]),
        .testTarget(name: "PWSCommandsTests", dependencies: ["PWSCommands", "PWSCore"]),
        .testTarget(name: "RunDiffTests", dependencies: ["RunDiff", "PWSCore"]),
    ]
)
