import Foundation
import CSV
import PWSCore

/// Writes a synthetic data folder in the spec §2 format (`pws generate`, spec §6.1).
///
/// The folder holds `wilayah.csv` (the register), `sasaran.csv` (target populations, partly
/// missing so the pipeline must estimate) and `layanan/YYYY-MM_<facility>.csv`, one file per
/// facility and month in four CSV dialects, with a small planted rate of every §3 problem.
///
/// Output depends only on the options: the same seed gives the same bytes. Residents are
/// simulated one at a time and their records written at once, so memory does not grow with
/// `records`.
public struct SyntheticGenerator: Sendable {
    /// What to generate.
    public let options: GeneratorOptions

    /// A generator for the given options.
    public init(options: GeneratorOptions) {
        self.options = options
    }

    /// Writes the data folder at `directory` and returns what was written.
    ///
    /// - Parameter overwrite: replace the generated files of an earlier run in that folder
    ///   (`wilayah.csv`, `sasaran.csv`, `layanan/*.csv`); without it a non-empty folder is refused.
    /// - Throws: `PWSError` (`.usage` for bad options or a non-empty folder,
    ///   `.outputNotWritable` when files cannot be written).
    /// - Complexity: O(records) time; memory O(villages × RTs + facilities × months).
    public func generate(into directory: String, overwrite: Bool = false) throws -> GenerationSummary {
        try options.validate()
        try prepare(directory, overwrite: overwrite)

        let plan = Plan(options: options)
        var summary = GenerationSummary()
        summary.villages = plan.villages.count
        summary.rts = plan.villages.reduce(0) { $0 + $1.rts.count }

        summary.bytes += try writeRegister(plan, to: directory + "/wilayah.csv")

        let first = YearMonth(year: options.year, month: 1)
        var start = first
        for _ in 0..<options.historyMonths { start = start.previous }
        let emitter = Emitter(plan: plan, directory: directory, firstMonth: start,
                              months: 12 + options.historyMonths, seed: options.seed,
                              problemRate: options.problemRate)
        var nik = NIKCounter()
        var tallies: [[[Int]]] = Array(repeating: [], count: plan.villages.count)
        var kecamatan = -1
        for pkm in plan.puskesmas {
            for v in pkm.villages {
                let village = plan.villages[v]
                if village.kecamatan != kecamatan {
                    nik.reset()
                    kecamatan = village.kecamatan
                }
                let sim = VillageSimulator(plan: plan, village: village, emitter: emitter,
                                           seed: options.seed, year: options.year)
                sim.posyanduDay = options.posyanduDay
                try sim.run(nik: &nik)
                tallies[v] = sim.tally
                summary.persons += sim.persons
                for f in village.posyandu { try emitter.close(facility: f) }
                try emitter.close(facility: village.pustu)
            }
            try emitter.close(facility: pkm.facility)
        }
        summary.records = emitter.records
        summary.backEntered = emitter.backEntries
        summary.bytes += emitter.bytes
        summary.paths = emitter.paths
        for p in Problem.allCases where emitter.injector.counts[p.rawValue] > 0 {
            summary.injected[p.rule] = emitter.injector.counts[p.rawValue]
        }

        summary.bytes += try writeSasaran(plan, tallies: tallies, to: directory + "/sasaran.csv")
        summary.paths += ["sasaran.csv", "wilayah.csv"]

        if options.columnsProblemFile {
            let (path, rows, bytes) = try writeColumnsProblemFile(plan, directory: directory)
            summary.paths.append(path)
            summary.records += rows
            summary.bytes += bytes
            summary.injected[.columns] = rows
        }
        if options.workbooks {
            let csvBytes = summary.paths.filter { $0.hasPrefix("layanan/") }
                .reduce(0) { $0 + Self.size(directory + "/" + $1) }
            let converted = try WorkbookConversion.convertServiceFiles(in: directory, paths: summary.paths)
            summary.paths = converted.paths
            summary.bytes += converted.bytes - csvBytes
            summary.records -= converted.dropped
        }
        if options.fhir {
            let csvBytes = summary.paths.filter { $0.hasPrefix("layanan/") }
                .reduce(0) { $0 + Self.size(directory + "/" + $1) }
            let converted = try FHIRConversion.convertServiceFiles(in: directory, paths: summary.paths)
            summary.paths = converted.paths
            summary.bytes += converted.bytes - csvBytes
            summary.records -= converted.dropped
        }
        if options.wideRegisters {
            let csvBytes = summary.paths.filter { $0.hasPrefix("layanan/") }
                .reduce(0) { $0 + Self.size(directory + "/" + $1) }
            let converted = try WideConversion.convertServiceFiles(
                in: directory, paths: summary.paths, day: options.posyanduDay ?? 15,
                titles: WideConversion.titles(plan))
            summary.paths = converted.paths
            summary.bytes += converted.bytes - csvBytes
            summary.registerRecords = converted.moved
        }
        summary.files = summary.paths.filter { $0.hasPrefix("layanan/") || $0.hasPrefix("fhir/") }.count
        summary.paths.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        return summary
    }

    // MARK: Folder

    private static func size(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? Int) ?? 0
    }

    private func prepare(_ directory: String, overwrite: Bool) throws {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw PWSError(.outputNotWritable, "\(directory) exists and is not a folder")
            }
            let entries = (try? fm.contentsOfDirectory(atPath: directory)) ?? []
            if !entries.isEmpty {
                guard overwrite else {
                    throw PWSError(.usage, "\(directory) is not empty: choose a new folder, or pass --force to replace the generated files in it")
                }
                for name in ["wilayah.csv", "sasaran.csv"] {
                    try? fm.removeItem(atPath: directory + "/" + name)
                }
                let layanan = directory + "/layanan"
                for name in (try? fm.contentsOfDirectory(atPath: layanan)) ?? []
                where name.lowercased().hasSuffix(".csv") || name.lowercased().hasSuffix(".xlsx") {
                    try? fm.removeItem(atPath: layanan + "/" + name)
                }
            }
        }
        do {
            try fm.createDirectory(atPath: directory + "/layanan", withIntermediateDirectories: true)
        } catch {
            throw PWSError(.outputNotWritable, "cannot create \(directory)/layanan",
                           cause: String(describing: error))
        }
    }

    // MARK: Register and targets

    private func writeRegister(_ plan: Plan, to path: String) throws -> Int {
        let w = try CSVWriter(path: path, options: .standard)
        try w.writeRow(["kode_desa", "nama_desa", "kecamatan", "kabupaten", "kode_puskesmas",
                        "nama_puskesmas", "dusun", "rw", "rt", "jumlah_penduduk"])
        for v in plan.villages {
            let dotted = String(decoding: v.dottedBytes, as: UTF8.self)
            let pkm = plan.puskesmas[v.puskesmas]
            for rt in v.rts {
                try w.writeRow([dotted, v.name, plan.kecamatan[v.kecamatan].name, plan.regencyName,
                                pkm.code, pkm.name, rt.hamlet, pad2(rt.rw), pad3(rt.rt),
                                String(rt.population)])
            }
        }
        try w.close()
        return w.bytesWritten
    }

    /// How a village's targets appear in `sasaran.csv`.
    private enum TargetLayout: CaseIterable {
        /// Every group at village level.
        case village
        /// bayi, baduta, balita per RW; the rest at village level.
        case perRW
        /// balita and penduduk per RT; the rest at village level.
        case perRT
        /// No rows: the pipeline sums or estimates.
        case absent
    }

    private static let layoutCycle: [TargetLayout] = [.village, .perRW, .village, .absent, .perRT,
                                                      .village, .perRW, .village]

    private func writeSasaran(_ plan: Plan, tallies: [[[Int]]], to path: String) throws -> Int {
        let w = try CSVWriter(path: path, options: .excelIndonesia)
        try w.writeRow(["tahun", "kode_desa", "rw", "rt", "kelompok_sasaran", "jumlah"])
        let year = String(options.year)
        let shift = Int(options.seed % 8)
        for v in plan.villages {
            let layout = Self.layoutCycle[(v.index + shift) % Self.layoutCycle.count]
            if layout == .absent { continue }
            for (g, group) in TargetGroup.all.enumerated() {
                // Official targets are projections: off from the true count by −8 … +12 %.
                let h = SplitMix64.mix(options.seed ^ 0x5341_5341, UInt64(v.index), UInt64(g))
                let factor = 0.92 + 0.2 * Double(h >> 11) * 0x1.0p-53
                func official(_ n: Int) -> String { String(Int((Double(n) * factor).rounded())) }
                let perRW = layout == .perRW && (g == Group.bayi.rawValue || g == Group.baduta.rawValue
                    || g == Group.balita.rawValue)
                let perRT = layout == .perRT && (g == Group.balita.rawValue || g == Group.penduduk.rawValue)
                if perRT {
                    for (r, rt) in v.rts.enumerated() {
                        try w.writeRow([year, v.code, pad2(rt.rw), pad3(rt.rt), group,
                                        official(tallies[v.index][r][g])])
                    }
                } else if perRW {
                    for rw in 1...v.rtsPerRW.count {
                        var n = 0
                        for (r, rt) in v.rts.enumerated() where rt.rw == rw { n += tallies[v.index][r][g] }
                        try w.writeRow([year, v.code, pad2(rw), "", group, official(n)])
                    }
                } else {
                    let n = tallies[v.index].reduce(0) { $0 + $1[g] }
                    try w.writeRow([year, v.code, "", "", group, official(n)])
                }
            }
        }
        try w.close()
        return w.bytesWritten
    }

    /// An old-format export without `tanggal_kunjungan`: every row is `E-COLUMNS`.
    private func writeColumnsProblemFile(_ plan: Plan, directory: String) throws -> (String, Int, Int) {
        let relative = "layanan/\(options.year)-06_posyandu-impor-lama.csv"
        let w = try CSVWriter(path: directory + "/" + relative, options: .excelIndonesia)
        try w.writeRow(["id_kunjungan", "nik", "tanggal_lahir", "jenis_kelamin", "kode_desa", "rw",
                        "rt", "tempat_layanan", "kode_layanan", "hasil"])
        var rng = SplitMix64(options.seed, 0x434F_4C53)
        let v = plan.villages[0]
        var nik = NIKCounter()
        let rows = 12
        for i in 1...rows {
            let birth = Day(year: options.year - 1 - rng.below(4), month: rng.int(1...12), day: rng.int(1...28))!
            let sex: Sex = rng.chance(0.5) ? .female : .male
            let id = String(decoding: nik.make(prefix: v.codeBytes[0..<6], birth: birth, sex: sex), as: UTF8.self)
            var b: [UInt8] = []
            Format.date(birth, style: .dayMonthYear, into: &b)
            let weight = 80 + rng.below(80)
            try w.writeRow(["LAMA-\(options.year)-\(pad3(i))", id, String(decoding: b, as: UTF8.self),
                            sex == .female ? "P" : "L", v.code, pad2(v.rts[0].rw), pad3(v.rts[0].rt),
                            "posyandu", "TIMBANG", "\(weight / 10),\(weight % 10)"])
        }
        try w.close()
        return (relative, rows, w.bytesWritten)
    }
}
