import Foundation
import PWSCore
@testable import Validate

/// A throw-away data folder for one test.
struct DataFolder {
    let path: String

    init(wilayah: String = DataFolder.standardRegister, sasaran: String? = nil, layanan: [String: String]) throws {
        path = NSTemporaryDirectory() + "pws-validate-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path + "/layanan", withIntermediateDirectories: true)
        try wilayah.write(toFile: path + "/wilayah.csv", atomically: true, encoding: .utf8)
        if let sasaran { try sasaran.write(toFile: path + "/sasaran.csv", atomically: true, encoding: .utf8) }
        for (name, text) in layanan {
            try text.write(toFile: path + "/" + name, atomically: true, encoding: .utf8)
        }
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }

    static let standardRegister = """
    village_code,village_name,district_name,regency_name,puskesmas_code,puskesmas_name,rw,rt,population
    3201010001,Sukamaju,Cibinong,Bogor,P01,Puskesmas Cibinong,001,001,120
    3201010001,Sukamaju,Cibinong,Bogor,P01,Puskesmas Cibinong,001,002,100
    3201010002,Sukasari,Cibinong,Bogor,P01,Puskesmas Cibinong,001,001,90

    """

    /// The part of the §2.6 catalogue these tests use, built by hand.
    static let services = ServiceCatalogue([
        ServiceDefinition(code: "ANC", name: "antenatal", cluster: "ibu", sex: .female,
                          age: AgeLimit(unit: .years, min: 10, max: 55), result: .none),
        ServiceDefinition(code: "TIMBANG", name: "weighing", cluster: "anak", sex: nil, age: nil,
                          result: .number(unit: "kg", range: 0.5...250)),
        ServiceDefinition(code: "IMT", name: "BMI", cluster: "dewasa", sex: nil,
                          age: AgeLimit(unit: .years, min: 5, max: nil), result: .number(unit: "kg/m2", range: 8...80)),
        ServiceDefinition(code: "TENSI", name: "blood pressure", cluster: "dewasa", sex: nil,
                          age: AgeLimit(unit: .years, min: 10, max: nil),
                          result: .bloodPressure(sys: 50...300, dia: 30...200)),
    ])

    static func settings(today: String = "2025-12-31", asOf: YearMonth? = nil, keep: Bool = false) -> ValidationSettings {
        let p = today.split(separator: "-").map { Int($0)! }
        return ValidationSettings(today: Day(year: p[0], month: p[1], day: p[2])!, asOf: asOf,
                                  keepIdentifiers: keep, services: services)
    }
}
