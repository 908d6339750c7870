import CSV
import PWSCore

/// One simulated resident, as far as records need them.
struct Person {
    /// person_id bytes: a 16-digit NIK or another id.
    var id: [UInt8]
    var hasNIK: Bool
    var birth: Day
    var sex: Sex
    var first: UInt8
    var last: UInt8
    /// RT index in the village before and after a move (`moveDay` unknown = never moves).
    var rt0: Int32
    var moveDay: Day = .unknown
    var rt1: Int32
    /// The birth date's civil parts, computed once: every row prints it.
    var birthYear: Int16
    var birthMonth: Int8
    var birthDay: Int8

    init(id: [UInt8], hasNIK: Bool, birth: Day, sex: Sex, first: UInt8, last: UInt8, rt0: Int32, rt1: Int32) {
        self.id = id
        self.hasNIK = hasNIK
        self.birth = birth
        self.sex = sex
        self.first = first
        self.last = last
        self.rt0 = rt0
        self.rt1 = rt1
        let c = birth.civil
        birthYear = Int16(c.year)
        birthMonth = Int8(c.month)
        birthDay = Int8(c.day)
    }

    @inline(__always)
    func rt(at day: Day) -> Int32 { (!moveDay.isUnknown && day >= moveDay) ? rt1 : rt0 }
}

/// One service given to a person: what becomes one row.
struct Event {
    var day: Day
    var service: Service
    /// The facility whose register (file) records it.
    var owner: Int32
    /// Where it was given.
    var type: FacilityType
    /// facility_id: -1 the owner's id, -2 empty, otherwise an index into `Plan.sites`.
    var site: Int32
    var provider: Provider
    var result: Measure = .none
    /// 0 = none, else the pregnancy's number in its village (`KH<village>-<n>`).
    var pregnancy: UInt32 = 0
    var lmp: Day = .unknown
    var weeks: Int8 = -1
    /// For NIFAS: the delivery it follows (lets the injector plant W-NIFAS).
    var delivery: Day = .unknown
    /// A dose of the immunisation register entered back when records began: a date before the
    /// window is kept and written to the owner's file of the window's first month.
    var backEntered = false
}

/// One open service-record file: a facility's register for one month.
final class OpenFile {
    let writer: CSVWriter
    let dialect: Dialect
    let columns: [Column]
    let path: String
    let facility: Int
    let yymm: Int
    /// The facility's own id and whether its NIKs get Excel's `'`, copied here for the hot path.
    let facilityID: [UInt8]
    let textMarker: Bool
    var seq = 0
    var lastCleanID: [UInt8] = []

    init(writer: CSVWriter, dialect: Dialect, path: String, facility: SynthFacility, yymm: Int) {
        self.writer = writer
        self.facilityID = facility.idBytes
        self.textMarker = facility.textMarker
        self.dialect = dialect
        self.columns = dialect.columns.map(\.0)
        self.path = path
        self.facility = facility.index
        self.yymm = yymm
    }
}

/// Writes events to the file of their (facility, month), planting problems on the way.
///
/// One writer per file is open while its facility is being simulated (a village's posyandu and
/// pustu, a puskesmas for its villages), so open files and memory stay constant in the number of
/// records.
final class Emitter {
    let plan: Plan
    let directory: String
    let firstMonth: YearMonth
    let months: Int
    let windowStart: Day
    let windowEnd: Day
    let seed: UInt64
    var injector: Injector

    private var files: [OpenFile?]
    private static let rowCapacity = 16 * 1024
    private let rowStorage = UnsafeMutablePointer<UInt8>.allocate(capacity: Emitter.rowCapacity)
    private let endStorage = UnsafeMutablePointer<Int>.allocate(capacity: 64)
    private var idBuffer: [UInt8] = []

    private(set) var records = 0
    private(set) var bytes = 0
    private(set) var paths: [String] = []
    /// Events the simulation proposed that the catalogue would refuse (a safety net; stays 0).
    private(set) var skipped = 0
    /// Doses written back from before the window (`Event.backEntered`), before any planted
    /// duplicate.
    private(set) var backEntries = 0

    init(plan: Plan, directory: String, firstMonth: YearMonth, months: Int, seed: UInt64,
         problemRate: Double) {
        self.plan = plan
        self.directory = directory
        self.firstMonth = firstMonth
        self.months = months
        self.seed = seed
        windowStart = firstMonth.firstDay
        var last = firstMonth
        for _ in 1..<months { last = YearMonth(year: last.month == 12 ? last.year + 1 : last.year,
                                                month: last.month == 12 ? 1 : last.month + 1) }
        windowEnd = last.lastDay
        injector = Injector(seed: seed, rate: problemRate)
        files = Array(repeating: nil, count: plan.facilities.count * months)
        idBuffer.reserveCapacity(32)
    }

    deinit {
        rowStorage.deallocate()
        endStorage.deallocate()
    }

    // MARK: Files

    private func open(facility: Int, month: Int, year: Int, monthOfYear: Int) throws -> OpenFile {
        if let f = files[facility * months + month] { return f }
        let fac = plan.facilities[facility]
        let relative = "layanan/\(year)-\(pad2(monthOfYear))_\(fac.slug).csv"
        let writer = try CSVWriter(path: directory + "/" + relative, options: fac.dialect.writeOptions,
                                   bufferSize: 64 * 1024)
        try writer.writeRow(fac.dialect.columns.map(\.1))
        let f = OpenFile(writer: writer, dialect: fac.dialect, path: relative, facility: fac,
                         yymm: (year % 100) * 100 + monthOfYear)
        files[facility * months + month] = f
        paths.append(relative)
        return f
    }

    /// Closes every file of a facility (its simulation is over).
    func close(facility: Int) throws {
        for m in 0..<months {
            guard let f = files[facility * months + m] else { continue }
            if f.dialect == .excel {
                // Excel leaves rows of bare separators after deleted rows: readers skip them.
                let h = SplitMix64.mix(seed, UInt64(facility), UInt64(m))
                if h % 10 < 3 {
                    let empty = [UInt8](repeating: f.dialect.writeOptions.delimiter,
                                        count: f.columns.count - 1) + [0x0D, 0x0A]
                    for _ in 0...(Int(h >> 8) % 3) { try f.writer.writeRaw(empty) }
                }
            }
            try f.writer.close()
            bytes += f.writer.bytesWritten
            files[facility * months + m] = nil
        }
    }

    // MARK: Rows

    /// The row about to be written, after any planted problem.
    private struct Row {
        var visit: Day
        var birth: Day
        var sex: Sex
        var service: Service
        var rw: Int
        var rt: Int
        var result: Measure
        var lmp: Day
        var weeks: Int8
        var overrideColumn: Column? = nil
        var overrideBytes: [UInt8] = []
        var overrideRaw = false
        var fieldDelta = 0
        var id = IDMode.fresh
        /// Row number that picks the printed time and unit; a re-entered copy keeps the original's.
        var look = -1
    }

    private enum IDMode { case fresh, keep, lastClean }

    /// Writes one event (if it falls in the window) to its file.
    ///
    /// - Complexity: O(row length).
    func emit(_ e: Event, person p: Person, village v: SynthVillage) throws {
        let early = e.day < windowStart
        guard !early || e.backEntered, e.day <= windowEnd else { return }
        let c = e.day.civil
        let bc = (year: Int(p.birthYear), month: Int(p.birthMonth), day: Int(p.birthDay))
        guard e.service.eligible(birth: p.birth, birthCivil: bc, sex: p.sex, at: e.day, visitCivil: c) else {
            skipped += 1
            return
        }
        let file: OpenFile
        if early {
            backEntries += 1
            file = try open(facility: Int(e.owner), month: 0, year: firstMonth.year, monthOfYear: firstMonth.month)
        } else {
            let month = (c.year - firstMonth.year) * 12 + c.month - firstMonth.month
            file = try open(facility: Int(e.owner), month: month, year: c.year, monthOfYear: c.month)
        }
        let rtIndex = Int(p.rt(at: e.day))
        var row = Row(visit: e.day, birth: p.birth, sex: p.sex, service: e.service, rw: v.rts[rtIndex].rw,
                      rt: v.rts[rtIndex].rt, result: e.result, lmp: e.lmp, weeks: e.weeks)

        let windowEnd = self.windowEnd
        let drawn = injector.next { k in
            switch k {
            case .duplicateID: !file.lastCleanID.isEmpty
            case .result: !e.result.isNone
            case .gestation: e.service == .anc
            case .nifas: e.service == .nifas && !e.delivery.isUnknown
                && e.delivery.adding(days: 60) <= windowEnd
            case .nik: p.hasNIK && Age.years(birth: p.birth, at: e.day) >= 5
            default: true
            }
        }
        var problem = drawn
        if let planted = problem {
            if plant(planted, in: &row, event: e, person: p, village: v, file: file) {
                injector.count(planted)
            } else {
                injector.giveBack(planted)
                problem = nil
            }
        }
        try write(&row, event: e, visitCivil: c, person: p, village: v, file: file)
        if problem == nil {
            file.lastCleanID.removeAll(keepingCapacity: true)
            file.lastCleanID.append(contentsOf: idBuffer)
        } else if problem == .duplicate {
            // Entered twice: most often under a new id, sometimes the very same row again.
            row.id = injector.chance(0.3) ? .keep : .fresh
            try write(&row, event: e, visitCivil: c, person: p, village: v, file: file)
        }
    }

    /// Applies a problem to the row; false when it turns out not to fit.
    private func plant(_ problem: Problem, in row: inout Row, event e: Event, person p: Person,
                       village v: SynthVillage, file: OpenFile) -> Bool {
        let style = file.dialect.dateStyle
        switch problem {
        case .parse:
            // A closing quote followed by more text: `"Siti "Ani" Rahma"`.
            var b: [UInt8] = [0x22]
            if file.columns.contains(.name) {
                b += Array(firstName(p).utf8) + [0x20, 0x22]
                b += Array(Names.nicknames[injector.draw(Names.nicknames.count)].utf8)
                b += [0x22, 0x20] + Array(Names.lastNames[Int(p.last)].utf8) + [0x22]
                row.overrideColumn = .name
            } else {
                b += siteBytes(e) + [0x22] + Array("x".utf8)
                row.overrideColumn = .facilityID
            }
            row.overrideBytes = b
            row.overrideRaw = true
        case .fields:
            row.fieldDelta = injector.chance(0.5) ? -1 : 1
        case .required:
            let cols: [Column] = [.personID, .birthDate, .serviceCode, .rt, .visitDate, .sex,
                                  .villageCode, .facilityType]
            row.overrideColumn = cols[injector.draw(cols.count)]
            row.overrideBytes = file.dialect == .excel && injector.chance(0.5) ? [0x2D] : []
        case .date:
            let bad: [(Int, Int)] = [(31, 2), (30, 2), (31, 4), (31, 6), (31, 9), (31, 11), (15, 13), (0, 5)]
            let (d, m) = bad[injector.draw(bad.count)]
            var b: [UInt8] = []
            Format.date(row.visit.year, m, d, style: style, into: &b)
            row.overrideColumn = .visitDate
            row.overrideBytes = b
        case .future:
            // A typo in the year: 2025 → 2035.
            let c = row.visit.civil
            var b: [UInt8] = []
            Format.date(c.year + 10, c.month, min(c.day, 28), style: style, into: &b)
            row.overrideColumn = .visitDate
            row.overrideBytes = b
        case .beforeBirth:
            row.birth = row.visit.adding(days: 30 + injector.draw(370))
        case .sex:
            let bad = ["X", "?", "3", "LP"]
            row.overrideColumn = .sex
            row.overrideBytes = Array(bad[injector.draw(bad.count)].utf8)
        case .person:
            row.overrideColumn = .personID
            if p.hasNIK {
                if injector.chance(0.8) {
                    var id = p.id
                    id.remove(at: injector.draw(id.count))
                    row.overrideBytes = id
                } else {
                    row.overrideBytes = [UInt8](repeating: p.id[6], count: 16)
                }
            } else {
                row.overrideBytes = Array("???".utf8)
            }
        case .area:
            row.overrideColumn = .villageCode
            if injector.chance(0.7) {
                row.overrideBytes = Array(v.codeBytes.dropLast())
            } else {
                row.overrideBytes = Array("\(plan.regencyCode)992001".utf8)
            }
        case .facility:
            let bad = ["sekolah", "balai desa", "posbindu", "masjid"]
            row.overrideColumn = .facilityType
            row.overrideBytes = Array(bad[injector.draw(bad.count)].utf8)
        case .service:
            let bad = ["IMUNISASI", "TIMBNG", "KONSELING", "PENYULUHAN", "K1"]
            row.overrideColumn = .serviceCode
            row.overrideBytes = Array(bad[injector.draw(bad.count)].utf8)
        case .eligibility:
            if row.service.isMaternal {
                row.sex = .male
            } else if Age.years(birth: row.birth, at: row.visit) >= 7 {
                row.service = .bcg
            } else {
                row.service = .iva
            }
            row.result = .none
        case .duplicateID:
            row.id = .lastClean
        case .duplicate:
            break
        case .result:
            row.overrideColumn = .result
            if injector.chance(0.5) {
                row.overrideBytes = Array("tdk diukur".utf8)
            } else if case .pressure = row.result {
                row.overrideBytes = Array("80/120".utf8)
            } else if row.service == .srq20 || row.service == .puma {
                row.overrideBytes = Array("99".utf8)
            } else {
                row.overrideBytes = [0x30]
            }
        case .gestation:
            if !row.lmp.isUnknown {
                row.lmp = row.visit.adding(days: 14 + injector.draw(47))
            } else {
                row.weeks = Int8(46 + injector.draw(15))
            }
        case .areaWarning:
            row.rt = v.rtsPerRW[row.rw - 1] + 1 + injector.draw(2)
        case .nik:
            let shifted = row.birth.adding(days: -(1 + injector.draw(3)))
            guard row.service.eligible(birth: shifted, sex: row.sex, at: row.visit) else { return false }
            row.birth = shifted
        case .nifas:
            row.visit = e.delivery.adding(days: 43 + injector.draw(18))
        }
        return true
    }

    private func firstName(_ p: Person) -> String {
        p.sex == .female ? Names.femaleFirst[Int(p.first)] : Names.maleFirst[Int(p.first)]
    }

    private func siteBytes(_ e: Event) -> [UInt8] {
        switch e.site {
        case -1: plan.facilities[Int(e.owner)].idBytes
        case -2: []
        default: plan.sites[Int(e.site)].id
        }
    }

    private static let titleTypes: [[UInt8]] = ["Posyandu", "Pustu", "Puskesmas", "Rumah Sakit",
                                                "Klinik", "Rumah", "Lainnya"].map { Array($0.utf8) }
    private static let lowerTypes: [[UInt8]] = FacilityType.allCases.map { Array($0.code.utf8) }
    private static let upperTypes: [[UInt8]] = FacilityType.allCases.map { Array($0.code.uppercased().utf8) }
    private static let lowerProviders: [[UInt8]] = Provider.allCases.map { Array($0.code.utf8) }
    private static let titleProviders: [[UInt8]] = Provider.allCases.map {
        Array($0.code.prefix(1).uppercased().utf8) + Array($0.code.dropFirst().utf8)
    }
    private static let upperProviders: [[UInt8]] = Provider.allCases.map { Array($0.code.uppercased().utf8) }
    private static let femaleNames: [[UInt8]] = Names.femaleFirst.map { Array($0.utf8) }
    private static let maleNames: [[UInt8]] = Names.maleFirst.map { Array($0.utf8) }
    private static let lastNames: [[UInt8]] = Names.lastNames.map { Array($0.utf8) }

    private func write(_ row: inout Row, event e: Event, visitCivil: (year: Int, month: Int, day: Int),
                       person p: Person, village v: SynthVillage, file: OpenFile) throws {
        file.seq += 1
        if row.look < 0 { row.look = file.seq }
        if row.id == .fresh {
            idBuffer.removeAll(keepingCapacity: true)
            Format.digits(file.yymm, width: 4, into: &idBuffer)
            idBuffer.append(0x2D)
            Format.digits(file.facility + 1, width: 4, into: &idBuffer)
            idBuffer.append(0x2D)
            Format.digits(file.seq, width: 5, into: &idBuffer)
        }
        let dialect = file.dialect
        let style = dialect.dateStyle
        let writer = file.writer
        let count = file.columns.count + (row.fieldDelta < 0 ? -1 : 0)
        // A fixed buffer in a local: no growth, uniqueness or exclusivity checks per byte.
        var scratch = RowBuffer(base: rowStorage, capacity: Emitter.rowCapacity)
        let ends = endStorage
        var fields = 0
        var rawField = -1
        for i in 0..<count {
            let column = file.columns[i]
            if let oc = row.overrideColumn, oc == column {
                scratch.appendBytes(row.overrideBytes)
                ends[fields] = scratch.count; fields += 1
                if row.overrideRaw { rawField = i }
                continue
            }
            switch column {
            case .recordID:
                scratch.appendBytes(row.id == .lastClean ? file.lastCleanID : idBuffer)
            case .rowNumber:
                Format.int(file.seq, into: &scratch)
            case .visitDate:
                let time = 450 + (row.look &* 37) % 360
                if row.visit == e.day {
                    Format.date(visitCivil.year, visitCivil.month, visitCivil.day, style: style, time: time,
                                into: &scratch)
                } else {
                    Format.date(row.visit, style: style, time: time, into: &scratch)
                }
            case .personID:
                if dialect == .excel && p.hasNIK && file.textMarker {
                    scratch.appendByte(0x27)
                }
                scratch.appendBytes(p.id)
            case .name:
                scratch.appendBytes(p.sex == .female ? Emitter.femaleNames[Int(p.first)]
                                                           : Emitter.maleNames[Int(p.first)])
                let last = Emitter.lastNames[Int(p.last)]
                if !last.isEmpty {
                    scratch.appendByte(0x20)
                    scratch.appendBytes(last)
                }
            case .birthDate:
                let birthStyle = style == .isoWithTime ? DateStyle.iso : style
                if row.birth == p.birth {
                    Format.date(Int(p.birthYear), Int(p.birthMonth), Int(p.birthDay), style: birthStyle,
                                into: &scratch)
                } else {
                    Format.date(row.birth, style: birthStyle, into: &scratch)
                }
            case .sex:
                switch dialect {
                case .excel, .app: scratch.appendByte(row.sex == .female ? 0x50 : 0x4C)
                case .kader: Format.append(row.sex == .female ? "Perempuan" : "Laki-laki", into: &scratch)
                case .simpus: scratch.appendByte(row.sex == .female ? 0x46 : 0x4D)
                }
            case .villageCode:
                scratch.appendBytes(dialect == .kader ? v.dottedBytes : v.codeBytes)
            case .rw:
                switch dialect {
                case .excel: Format.digits(row.rw, width: 2, into: &scratch)
                case .app: Format.digits(row.rw, width: 3, into: &scratch)
                case .kader: Format.append("RW ", into: &scratch); Format.digits(row.rw, width: 2, into: &scratch)
                case .simpus: Format.int(row.rw, into: &scratch)
                }
            case .rt:
                switch dialect {
                case .excel, .app: Format.digits(row.rt, width: 3, into: &scratch)
                case .kader: Format.append("RT.", into: &scratch); Format.digits(row.rt, width: 3, into: &scratch)
                case .simpus: Format.int(row.rt, into: &scratch)
                }
            case .facilityType:
                let t = Int(e.type.rawValue)
                switch dialect {
                case .excel, .app: scratch.appendBytes(Emitter.lowerTypes[t])
                case .kader: scratch.appendBytes(Emitter.titleTypes[t])
                case .simpus: scratch.appendBytes(Emitter.upperTypes[t])
                }
            case .facilityID:
                switch e.site {
                case -1: scratch.appendBytes(file.facilityID)
                case -2: break
                default: scratch.appendBytes(plan.sites[Int(e.site)].id)
                }
            case .serviceCode:
                let s = Int(row.service.rawValue)
                scratch.appendBytes(dialect == .simpus ? Service.lowerBytes[s] : Service.upperBytes[s])
            case .result:
                switch row.result {
                case .none: break
                case .tenths(let t): Format.tenths(Int(t), comma: dialect.decimalComma, into: &scratch)
                case .integer(let n): Format.int(Int(n), into: &scratch)
                case .pressure(let s, let d):
                    Format.int(Int(s), into: &scratch)
                    scratch.appendByte(0x2F)
                    Format.int(Int(d), into: &scratch)
                }
                if dialect == .kader && !row.result.isNone && row.look % 4 == 0 {
                    let unit = Service.unitBytes[Int(row.service.rawValue)]
                    if !unit.isEmpty {
                        scratch.appendByte(0x20)
                        scratch.appendBytes(unit)
                    }
                }
            case .provider:
                let pr = Int(e.provider.rawValue)
                switch dialect {
                case .excel, .app: scratch.appendBytes(Emitter.lowerProviders[pr])
                case .kader: scratch.appendBytes(Emitter.titleProviders[pr])
                case .simpus: scratch.appendBytes(Emitter.upperProviders[pr])
                }
            case .pregnancyID:
                if e.pregnancy > 0 {
                    Format.append("KH", into: &scratch)
                    scratch.appendBytes(v.codeBytes)
                    scratch.appendByte(0x2D)
                    Format.digits(Int(e.pregnancy), width: 4, into: &scratch)
                }
            case .lmpDate:
                if !row.lmp.isUnknown {
                    Format.date(row.lmp, style: style == .isoWithTime ? .iso : style, into: &scratch)
                }
            case .gestationalWeeks:
                if row.weeks >= 0 { Format.int(Int(row.weeks), into: &scratch) }
            }
            ends[fields] = scratch.count; fields += 1
        }
        if row.fieldDelta > 0 {
            ends[fields] = scratch.count
            fields += 1
        }
        if rawField < 0 {
            try writer.writeRow(packed: scratch.bytes, ends: UnsafeBufferPointer(start: ends, count: fields))
        } else {
            // A planted E-PARSE field goes out unquoted, so this row goes field by field.
            var begin = 0
            for i in 0..<fields {
                let end = ends[i]
                let field = Array(UnsafeRawBufferPointer(rebasing: scratch.bytes[begin..<end]))
                if i == rawField { try writer.writeRawField(field) } else { try writer.writeField(field) }
                begin = end
            }
            try writer.endRow()
        }
        records += 1
    }
}
