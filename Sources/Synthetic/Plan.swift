import PWSCore

/// One RT of a synthetic village.
struct SynthRT {
    /// RW number (1-based).
    var rw: Int
    /// RT number within its RW (1-based).
    var rt: Int
    /// Residents at the start of the window (the register's `population`).
    var population: Int
    /// Index of the posyandu (in `Plan.facilities`) this RT attends.
    var posyandu: Int
    var hamlet: String
}

/// A synthetic village (desa) with its RTs and facilities.
struct SynthVillage {
    var index: Int
    /// 10 digits `PPKKCCDDDD`.
    var code: String
    var codeBytes: [UInt8]
    /// `PP.KK.CC.DDDD`, the form many registers print.
    var dottedBytes: [UInt8]
    var name: String
    var kecamatan: Int
    var puskesmas: Int
    var rts: [SynthRT]
    /// RT count per RW (index 0 = RW 1).
    var rtsPerRW: [Int]
    var posyandu: [Int]
    var pustu: Int
}

struct SynthKecamatan {
    var code: String
    var name: String
}

struct SynthPuskesmas {
    var code: String
    var name: String
    var kecamatan: Int
    var villages: [Int]
    /// Its index in `Plan.facilities`.
    var facility: Int
}

/// A facility whose register becomes service-record files (one per month).
struct SynthFacility {
    var index: Int
    var kind: FacilityType
    var id: String
    var idBytes: [UInt8]
    var name: String
    /// File-name part: `posyandu-melati-sukajaya`.
    var slug: String
    var dialect: Dialect
    /// Village index; -1 for a puskesmas.
    var village: Int
    var puskesmas: Int
    /// Usual day of the month of the posyandu session.
    var baseDay: Int
    /// Whether NIKs get Excel's leading `'` text marker in this facility's files.
    var textMarker: Bool
}

/// A place that files no records of its own (hospital, clinic): deliveries there are recorded
/// in the puskesmas register with the place's id and type.
struct SynthSite {
    var id: [UInt8]
    var type: FacilityType
}

/// The synthetic area: kabupaten, kecamatan, puskesmas, villages, RW/RT and facilities.
/// Everything here is decided from the seed before any person is simulated.
struct Plan {
    var regencyCode: String
    var regencyName: String
    var kecamatan: [SynthKecamatan] = []
    var puskesmas: [SynthPuskesmas] = []
    var villages: [SynthVillage] = []
    var facilities: [SynthFacility] = []
    var sites: [SynthSite] = []

    /// Index ranges into `sites`.
    var hospitalSites: [Int] = []
    var clinicSites: [Int] = []

    /// Service records per resident for the reporting year, and extra per month of history,
    /// measured on runs of a million records; they scale the population to `--records`.
    static let recordsPerResidentYear = 3.62
    static let recordsPerHistoryMonth = 0.10

    init(options: GeneratorOptions) {
        var rng = SplitMix64(options.seed, 0x504C_414E)
        regencyCode = options.regencyCode
        let villageCount = options.effectiveVillages

        // Unique place names from a seeded shuffle of prefix × suffix.
        var names: [String] = []
        for p in Names.placePrefixes { for s in Names.placeSuffixes { names.append(p + s) } }
        for i in stride(from: names.count - 1, to: 0, by: -1) {
            names.swapAt(i, rng.below(i + 1))
        }
        var nameCursor = 0
        func nextName() -> String {
            let base = names[nameCursor % names.count]
            let round = nameCursor / names.count
            nameCursor += 1
            return round == 0 ? base : "\(base) \(round + 1)"
        }
        regencyName = "Kabupaten \(nextName())"

        let kecCount = (villageCount + 11) / 12
        let perResident = Plan.recordsPerResidentYear
            + Plan.recordsPerHistoryMonth * Double(options.historyMonths)
        let totalPopulation = max(Double(villageCount) * 5, Double(options.records) / perResident)
        let perVillage = totalPopulation / Double(villageCount)

        var posyanduCounter = 0, pustuCounter = 0
        hospitalSites = [0, 1]
        sites.append(SynthSite(id: Array("RSUD-\(regencyCode)".utf8), type: .rumahSakit))
        sites.append(SynthSite(id: Array("RS-\(regencyCode)-02".utf8), type: .rumahSakit))
        for k in 1...3 {
            clinicSites.append(sites.count)
            sites.append(SynthSite(id: Array("KLINIK-\(regencyCode)-0\(k)".utf8), type: .klinik))
        }

        var villageIndex = 0
        for k in 0..<kecCount {
            let kecCode = regencyCode + pad2(k + 1)
            kecamatan.append(SynthKecamatan(code: kecCode, name: nextName()))
            let inKec = villageCount / kecCount + (k < villageCount % kecCount ? 1 : 0)
            let pkmCount = inKec >= 6 ? 2 : 1
            var villagesPerPkm: [Int] = []
            for p in 0..<pkmCount {
                let share = inKec / pkmCount + (p < inKec % pkmCount ? 1 : 0)
                villagesPerPkm.append(share)
            }
            var localVillage = 0
            for p in 0..<pkmCount {
                let pkmIndex = puskesmas.count
                let pkmFacility = facilities.count
                let pkmCode = "P\(kecCode)\(pad2(p + 1))01"
                var villagesOfPkm: [Int] = []
                // Puskesmas named after the kecamatan (the first) or its first village (the second).
                var pkmName = kecamatan[k].name
                var villageRecords: [SynthVillage] = []
                for _ in 0..<villagesPerPkm[p] {
                    let name = nextName()
                    if p > 0 && villagesOfPkm.isEmpty { pkmName = name }
                    let code = kecCode + String(2001 + localVillage)
                    localVillage += 1
                    let dotted = "\(code.prefix(2)).\(code.dropFirst(2).prefix(2)).\(code.dropFirst(4).prefix(2)).\(code.suffix(4))"
                    // Village population varies ±30 % around the mean.
                    let pop = max(5, Int(perVillage * (0.7 + 0.6 * rng.unit())))
                    var rts: [SynthRT] = []
                    var rtsPerRW: [Int] = []
                    let rtCount = max(1, Int((Double(pop) / 165).rounded()))
                    var remaining = rtCount
                    while remaining > 0 {
                        let n = min(remaining, rng.int(3...6))
                        rtsPerRW.append(n)
                        remaining -= n
                    }
                    var weights: [Double] = []
                    for _ in 0..<rtCount { weights.append(0.6 + rng.unit()) }
                    let wsum = weights.reduce(0, +)
                    var assigned = 0
                    var i = 0
                    let posyanduCount = max(1, min(5, (rtsPerRW.count + 1) / 2))
                    for (rwIdx, n) in rtsPerRW.enumerated() {
                        let hamlet = Names.hamlets[(rwIdx / 2) % Names.hamlets.count]
                        for rt in 1...n {
                            var share = Int(Double(pop) * weights[i] / wsum)
                            if i == rtCount - 1 { share = pop - assigned }
                            share = max(1, share)
                            assigned += share
                            rts.append(SynthRT(rw: rwIdx + 1, rt: rt, population: share,
                                               posyandu: rwIdx % posyanduCount, hamlet: hamlet))
                            i += 1
                        }
                    }
                    villageRecords.append(SynthVillage(
                        index: villageIndex, code: code, codeBytes: Array(code.utf8),
                        dottedBytes: Array(dotted.utf8), name: name, kecamatan: k,
                        puskesmas: pkmIndex, rts: rts, rtsPerRW: rtsPerRW,
                        posyandu: [], pustu: -1))
                    villagesOfPkm.append(villageIndex)
                    villageIndex += 1
                }
                let pkmDialect: Dialect = pkmIndex % 2 == 0 ? .app : .simpus
                facilities.append(SynthFacility(
                    index: pkmFacility, kind: .puskesmas, id: pkmCode, idBytes: Array(pkmCode.utf8),
                    name: "Puskesmas \(pkmName)", slug: Names.slug("puskesmas \(pkmName)"),
                    dialect: pkmDialect, village: -1, puskesmas: pkmIndex, baseDay: 10,
                    textMarker: false))
                puskesmas.append(SynthPuskesmas(code: pkmCode, name: "Puskesmas \(pkmName)",
                                                kecamatan: k, villages: villagesOfPkm,
                                                facility: pkmFacility))
                for var v in villageRecords {
                    let posyanduCount = max(1, min(5, (v.rtsPerRW.count + 1) / 2))
                    let flowerStart = rng.below(Names.flowers.count)
                    for j in 0..<posyanduCount {
                        let flower = Names.flowers[(flowerStart + j) % Names.flowers.count]
                        let id = "PSY-\(v.code)-\(pad2(j + 1))"
                        let dialect: Dialect = posyanduCounter % 2 == 0 ? .kader : .excel
                        posyanduCounter += 1
                        v.posyandu.append(facilities.count)
                        facilities.append(SynthFacility(
                            index: facilities.count, kind: .posyandu, id: id, idBytes: Array(id.utf8),
                            name: "Posyandu \(flower)", slug: Names.slug("posyandu \(flower) \(v.name)"),
                            dialect: dialect, village: v.index, puskesmas: pkmIndex,
                            baseDay: rng.int(5...24), textMarker: rng.chance(0.5)))
                    }
                    for r in v.rts.indices { v.rts[r].posyandu = v.posyandu[v.rts[r].posyandu] }
                    let pustuID = "PST-\(v.code)"
                    let pustuDialects: [Dialect] = [.excel, .simpus, .app]
                    v.pustu = facilities.count
                    facilities.append(SynthFacility(
                        index: facilities.count, kind: .pustu, id: pustuID, idBytes: Array(pustuID.utf8),
                        name: "Pustu \(v.name)", slug: Names.slug("pustu \(v.name)"),
                        dialect: pustuDialects[pustuCounter % 3], village: v.index,
                        puskesmas: pkmIndex, baseDay: 15, textMarker: rng.chance(0.5)))
                    pustuCounter += 1
                    villages.append(v)
                }
            }
        }
    }

    /// Residents of all villages at the start of the window.
    var population: Int { villages.reduce(0) { $0 + $1.rts.reduce(0) { $0 + $1.population } } }
}

@inline(__always)
func pad2(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

@inline(__always)
func pad3(_ n: Int) -> String { n < 10 ? "00\(n)" : n < 100 ? "0\(n)" : "\(n)" }
