import PWSTestSupport
import Foundation
import PWSCore
@testable import Aggregate
@testable import Pipeline

/// The default catalogues of `pipelines/` in this checkout, loaded once.
enum DefaultCatalogue {
    static let folder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("pipelines")
    static let services = try! ServiceCatalogueLoader.load(path: folder.appendingPathComponent("services.yaml").path)
    static let indicators = try! IndicatorCatalogueLoader.load(
        path: folder.appendingPathComponent("indicators.yaml").path, services: services)

    /// A fresh world with the default catalogues.
    static func world(extraKecamatan: Bool = false) -> World {
        World(services: services, indicators: indicators, extraKecamatan: extraKecamatan)
    }
}
