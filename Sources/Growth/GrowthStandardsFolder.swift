import Foundation
import PWSCore

extension GrowthStandards {
    /// The standards from a folder holding the six files of `GrowthTableName`
    /// (`pipelines/growth/who2006/` in the repository). Read once per run, off the hot path.
    public static func load(folder: String) throws(PWSError) -> GrowthStandards {
        try parse { name throws(PWSError) in
            let path = folder.hasSuffix("/") ? folder + name.fileName : folder + "/" + name.fileName
            guard let data = FileManager.default.contents(atPath: path) else {
                throw PWSError(.inputMissing,
                               "cannot read the WHO growth table \(path); the folder must hold "
                               + GrowthTableName.allCases.map(\.fileName).joined(separator: ", "))
            }
            return ([UInt8](data), path)
        }
    }
}
