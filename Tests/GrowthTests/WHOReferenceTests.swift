import Growth
import PWSCore
import Testing

/// The engine against WHO's own numbers, from sources other than the tables it reads.
@Suite struct WHOReferenceTests {
    /// One row of `who2006-sd-reference.csv`: the measurements WHO prints at z = −3, −2, 0, 2, 3.
    struct SDRow: CustomTestStringConvertible {
        var table: String, sex: Sex, x: String, sd: [Double], tolerance: Double, source: String
        var testDescription: String { "\(table) sex \(sex.rawValue) at \(x)" }
    }

    static let sdRows: [SDRow] = WHO.fixture("who2006-sd-reference.csv").map { f in
        SDRow(table: f[0], sex: WHO.sex(f[1]), x: f[2], sd: f[3...7].map { Double($0)! },
              tolerance: Double(f[8])!, source: f[9])
    }
    static let zs: [Double] = [-3, -2, 0, 2, 3]

    func tableLMS(_ row: SDRow) -> LMS? {
        let s = WHO.standards
        switch row.table {
        case "wfa": return s.weightForAge.lms(ageDays: Int(row.x)!, sex: row.sex)
        case "lhfa": return s.lengthHeightForAge.lms(ageDays: Int(row.x)!, sex: row.sex)
        case "bfa": return s.bmiForAge.lms(ageDays: Int(row.x)!, sex: row.sex)
        case "wfl": return s.weightForLength.lms(lengthCm: Double(row.x)!, sex: row.sex)
        case "wfh": return s.weightForHeight.lms(lengthCm: Double(row.x)!, sex: row.sex)
        default: return nil
        }
    }

    /// The reference covers every indicator with published SD columns, both sexes, days 0 and
    /// 1856, every 97th row between (the script picks them; this guards the fixture itself).
    @Test func referenceCoversTablesSexesAndEnds() {
        let rows = Self.sdRows
        for table in ["wfa", "lhfa", "bfa", "wfl", "wfh"] {
            for sex in Sex.allCases {
                #expect(rows.filter { $0.table == table && $0.sex == sex }.count >= 6, "\(table) \(sex)")
            }
        }
        for table in ["wfa", "lhfa"] {
            #expect(rows.contains { $0.table == table && $0.x == "0" })
            #expect(rows.contains { $0.table == table && $0.x == "1856" })
        }
        #expect(rows.contains { $0.table == "wfl" && $0.x == "110.0" })
        #expect(rows.contains { $0.table == "wfh" && $0.x == "120.0" })
        #expect(rows.count == 236)
    }

    /// At z = −3, −2, 0, +2, +3 the measurement equals WHO's SD column to its printed precision
    /// (3 decimals in the daily expanded tables: ±0.0005; BMI's monthly table 1 decimal: ±0.05,
    /// +0.02 because the monthly L, M, S are at a fractional day).
    @Test(arguments: sdRows) func measurementAtZEqualsSDColumn(_ row: SDRow) throws {
        let lms = try #require(tableLMS(row))
        for (z, printed) in zip(Self.zs, row.sd) {
            #expect(abs(lms.measurement(atZ: z) - printed) <= row.tolerance + 1e-9,
                    "z \(z): \(lms.measurement(atZ: z)) vs WHO \(printed) (\(row.source))")
        }
    }

    /// And the other way: the z-score engine (restricted tail included) gives k for WHO's SDk
    /// value, within what the printed rounding moves it (≤ 0.0005 over a band ≥ 0.16 wide).
    @Test(arguments: sdRows.filter { $0.table != "bfa" }) func zOfSDColumnIsK(_ row: SDRow) throws {
        let s = WHO.standards
        for (k, printed) in zip(Self.zs, row.sd) {
            let z: Double?
            switch row.table {
            case "wfa": z = s.weightForAgeZ(weightKg: printed, ageDays: Int(row.x)!, sex: row.sex)
            case "lhfa": z = s.lengthHeightForAgeZ(lengthCm: printed, ageDays: Int(row.x)!, sex: row.sex)
            case "wfl": z = s.weightForLengthHeightZ(weightKg: printed, lengthCm: Double(row.x)!, ageDays: 0, sex: row.sex)
            default: z = s.weightForLengthHeightZ(weightKg: printed, lengthCm: Double(row.x)!, ageDays: 731, sex: row.sex)
            }
            let value = try #require(z)
            #expect(abs(value - k) <= 0.004, "\(row.testDescription): z(\(printed)) = \(value), expected \(k)")
        }
    }

    /// WHO's igrowup (R) z-scores for its sample survey, printed to 2 decimals, are reproduced
    /// within half a hundredth for all five indicators — the only reference here for MUAC.
    @Test func igrowupSurveyZScoresAreReproduced() throws {
        let rows = WHO.fixture("who2006-igrowup-survey.csv")
        var checked: [String: Int] = [:]
        for f in rows {
            let sex = WHO.sex(f[1]), day = Int(f[2])!, value = Double(f[3])!, expected = Double(f[5])!
            let z: Double?
            switch f[0] {
            case "wfa": z = WHO.standards.weightForAgeZ(weightKg: value, ageDays: day, sex: sex)
            case "lhfa": z = WHO.standards.lengthHeightForAgeZ(lengthCm: value, ageDays: day, sex: sex)
            case "bfa": z = WHO.standards.bmiForAgeZ(bmi: value, ageDays: day, sex: sex)
            case "acfa": z = WHO.standards.armCircumferenceForAgeZ(muacCm: value, ageDays: day, sex: sex)
            default: z = WHO.standards.weightForLengthHeightZ(weightKg: value, lengthCm: Double(f[4])!, ageDays: day, sex: sex)
            }
            let got = try #require(z, "\(f)")
            #expect(abs(got - expected) <= 0.005 + 1e-9, "\(f): \(got)")
            checked[f[0], default: 0] += 1
        }
        // 489 WAZ, 428 HAZ, 422 WHZ, 423 BAZ, 446 MUAC rows (counted by the script).
        #expect(checked == ["wfa": 489, "lhfa": 428, "wflh": 422, "bfa": 423, "acfa": 446])
    }
}
