import PWSTestSupport
import PWSCore
import Testing
@testable import Aggregate

/// Every indicator of the default catalogue (spec §5.2) on hand-made records, with the expected
/// numerators worked out by hand in the comments. Reporting year 2025.
@Suite struct IndicatorCatalogueIndicatorsTests {
    typealias W = World

    // MARK: pregnancies

    @Test func k1CountsFirstVisitAndK1MurniOnlyInTrimesterOne() {
        var w = DefaultCatalogue.world()
        // ibu1: LMP 2025-01-06, first visit 2025-03-10 = 63 days = 9 weeks → TM1, at RT 002.
        w.add("ANC", "ibu1", "2025-03-10", born: "1995-05-01", rt: W.rt2, lmp: "2025-01-06")
        w.add("ANC", "ibu1", "2025-04-14", born: "1995-05-01", rt: W.rt1)
        // ibu2: LMP 2024-10-01, first visit 2025-03-10 = 160 days = 22 weeks → TM2, at Sukajadi.
        w.add("ANC", "ibu2", "2025-03-10", born: "1990-01-01", rt: W.rt4, lmp: "2024-10-01")
        let r = w.run(asOf: "2025-06")
        #expect(r.months("K1") == [0, 0, 2, 0, 0, 0])
        #expect(r.months("K1_MURNI") == [0, 0, 1, 0, 0, 0])
        #expect(r.n("K1", 3, .rt, W.rt2) == 1)      // area of the first visit, not the later one
        #expect(r.n("K1", 4, .rt, W.rt1) == 0)
        #expect(r.n("K1_MURNI", 3, .desa, W.v2) == 0)
        #expect(r.cum("K1", 6, .puskesmas, "PKM01") == 2)
    }

    /// LMP 2025-01-06. Visits at 35 d (5 w, TM1), 105 d (15 w, TM2), 189 d (27 w, TM3) and
    /// 217 d (31 w, TM3): K4 attains at the fourth visit, 2025-08-11.
    @Test func k4AttainsAtTheSecondThirdTrimesterVisit() {
        var w = DefaultCatalogue.world()
        w.add("ANC", "ibu", "2025-02-10", born: "1995-05-01", lmp: "2025-01-06")
        w.add("ANC", "ibu", "2025-04-21", born: "1995-05-01")
        w.add("ANC", "ibu", "2025-07-14", born: "1995-05-01")
        w.add("ANC", "ibu", "2025-08-11", born: "1995-05-01", rt: W.rt5)
        let r = w.run(asOf: "2025-09")
        #expect(r.months("K4") == [0, 0, 0, 0, 0, 0, 0, 1, 0])
        #expect(r.n("K4", 8, .rt, W.rt5) == 1)
        #expect(r.n("K4", 8, .puskesmas, "PKM02") == 1)
    }

    /// Four visits TM1, TM1 (40 d = 5 w, 70 d = 10 w), TM2 (105 d), TM3 (189 d): TM3 has one visit
    /// of the two needed, so K4 is not attained although there are four visits.
    @Test func k4NeedsTwoThirdTrimesterVisits() {
        var w = DefaultCatalogue.world()
        w.add("ANC", "ibu", "2025-02-15", born: "1995-05-01", lmp: "2025-01-06")
        w.add("ANC", "ibu", "2025-03-17", born: "1995-05-01")
        w.add("ANC", "ibu", "2025-04-21", born: "1995-05-01")
        w.add("ANC", "ibu", "2025-07-14", born: "1995-05-01")
        let r = w.run(asOf: "2025-09")
        #expect(r.cum("K4", 9) == 0)
        #expect(r.cum("K1", 9) == 1)
    }

    /// LMP 2024-09-02: 2024-10-07 = 35 d (TM1, dokter), 2024-12-09 = 98 d (14 w, TM2),
    /// 2025-01-13 = 133 d (19 w, TM2), 2025-03-10 = 189 d (27 w, TM3), 2025-04-07 = 217 d (TM3),
    /// 2025-05-05 = 245 d (35 w, TM3, no doctor), 2025-05-19 = 259 d (37 w, TM3, dokter).
    /// k6a stops before the last visit: the minimums hold but no TM3 doctor visit → not attained.
    /// k6b has the last one → attains 2025-05-19. Both have K4 at the 2nd TM3 visit (April).
    @Test func k6NeedsADoctorVisitInTrimesterThree() {
        var w = DefaultCatalogue.world()
        for person in ["k6a", "k6b"] {
            w.add("ANC", person, "2024-10-07", born: "1995-05-01", provider: .dokter, lmp: "2024-09-02")
            for date in ["2024-12-09", "2025-01-13", "2025-03-10", "2025-04-07", "2025-05-05"] {
                w.add("ANC", person, date, born: "1995-05-01", provider: .bidan)
            }
        }
        w.add("ANC", "k6b", "2025-05-19", born: "1995-05-01", rt: W.rt3, provider: .dokter)
        let r = w.run(asOf: "2025-06")
        #expect(r.months("K6") == [0, 0, 0, 0, 1, 0])
        #expect(r.n("K6", 5, .rw, "3201012001-002") == 1)
        #expect(r.months("K4") == [0, 0, 0, 2, 0, 0])
    }

    /// Two records on one date are one visit. On 2025-02-10 record "b" (added first, dokter, RT 1,
    /// own LMP 2024-10-01 → 132 d = 18 w, TM2) and record "a" (bidan, RT 2, own LMP 2025-01-06 →
    /// 35 d, TM1): the visit's trimester is a's (first by record_id) = TM1, it is a doctor visit
    /// (b), and K1 counts at a's RT. (One pregnancy_id: without it the two LMPs, 97 days apart,
    /// would be two episodes.)
    @Test func oneDateWithTwoRecordsIsOneVisit() {
        var w = DefaultCatalogue.world()
        w.add("ANC", "ibu", "2025-02-10", born: "1995-05-01", rt: W.rt1, provider: .dokter, lmp: "2024-10-01", pregnancy: "H", record: "b")
        w.add("ANC", "ibu", "2025-02-10", born: "1995-05-01", rt: W.rt2, provider: .bidan, lmp: "2025-01-06", pregnancy: "H", record: "a")
        // Anchor = earliest LMP = 2024-10-01. Later visits take their trimester from it:
        // 2025-03-03 = 153 d (21 w, TM2), 2025-03-17 = 167 d (23 w, TM2), 2025-04-14 = 195 d (27 w, TM3),
        // 2025-05-12 = 223 d (31 w, TM3), 2025-06-09 = 251 d (35 w, TM3, dokter).
        w.add("ANC", "ibu", "2025-03-03", born: "1995-05-01", pregnancy: "H", record: "c")
        w.add("ANC", "ibu", "2025-03-17", born: "1995-05-01", pregnancy: "H", record: "d")
        w.add("ANC", "ibu", "2025-04-14", born: "1995-05-01", pregnancy: "H", record: "e")
        w.add("ANC", "ibu", "2025-04-14", born: "1995-05-01", pregnancy: "H", record: "e2")   // same date: still one TM3 visit
        w.add("ANC", "ibu", "2025-05-12", born: "1995-05-01", pregnancy: "H", record: "f")
        w.add("ANC", "ibu", "2025-06-09", born: "1995-05-01", provider: .dokter, pregnancy: "H", record: "g")
        let r = w.run(asOf: "2025-06")
        #expect(r.n("K1", 2, .rt, W.rt2) == 1)
        #expect(r.n("K1", 2, .rt, W.rt1) == 0)
        #expect(r.n("K1_MURNI", 2) == 1)
        // K4: TM1 (02-10), TM2 (03-03), TM3 (04-14), TM3 (05-12) → May; with e2 counted as its own
        // visit it would attain in April.
        #expect(r.months("K4") == [0, 0, 0, 0, 1, 0])
        // K6: TM1 doctor (the 02-10 visit), TM2 ×2, TM3 ×3 with a doctor at 06-09 → June.
        #expect(r.months("K6") == [0, 0, 0, 0, 0, 1])
    }

    // MARK: deliveries

    /// Delivery 2025-03-01 for three women.
    /// A: puskesmas/bidan, NIFAS on days 2, 7, 28, 42 (each window's upper edge) → KF 2025-04-12.
    /// B: at home, NIFAS on days 0, 3, 8, 29 (lower edges) → KF 2025-03-30, window 29–42 met last.
    /// C: klinik/dokter, NIFAS on days 3, 8, 29, 43 → days 0–2 missing; day 43 belongs to no
    ///    delivery (W-NIFAS).
    /// PF: A and C (facility + nakes), on the delivery date (March), not B (home).
    @Test func pfAndKfLengkapWindowsAtTheirEdges() {
        var w = DefaultCatalogue.world()
        w.add("PERSALINAN", "A", "2025-03-01", born: "1995-01-01", rt: W.rt4, provider: .bidan, facility: .puskesmas)
        w.add("PERSALINAN", "B", "2025-03-01", born: "1995-01-01", provider: .bidan, facility: .rumah)
        w.add("PERSALINAN", "C", "2025-03-01", born: "1995-01-01", provider: .dokter, facility: .klinik)
        for d in ["2025-03-03", "2025-03-08", "2025-03-29"] { w.add("NIFAS", "A", d, born: "1995-01-01") }
        w.add("NIFAS", "A", "2025-04-12", born: "1995-01-01", rt: W.rt5)
        for d in ["2025-03-01", "2025-03-04", "2025-03-09", "2025-03-30"] { w.add("NIFAS", "B", d, born: "1995-01-01") }
        for d in ["2025-03-04", "2025-03-09", "2025-03-30"] { w.add("NIFAS", "C", d, born: "1995-01-01") }
        let late = w.add("NIFAS", "C", "2025-04-13", born: "1995-01-01")
        let r = w.run(asOf: "2025-06")
        #expect(r.months("PF") == [0, 0, 2, 0, 0, 0])
        #expect(r.n("PF", 3, .desa, W.v2) == 1)
        #expect(r.months("KF_LENGKAP") == [0, 0, 1, 1, 0, 0])
        #expect(r.n("KF_LENGKAP", 4, .rt, W.rt5) == 1)   // area of the day-42 visit, met last
        #expect(r.unattachedNifas == [late])
    }

    /// Two qualifying PERSALINAN records on the delivery date: PF counts at the one with the
    /// smaller record_id ("a", Sukajadi), not at the one that came first in the files ("b").
    @Test func pfAreaIsTheFirstRecordByRecordID() {
        var w = DefaultCatalogue.world()
        w.add("PERSALINAN", "ibu", "2025-03-01", born: "1995-01-01", rt: W.rt1, provider: .bidan, facility: .puskesmas, record: "b")
        w.add("PERSALINAN", "ibu", "2025-03-01", born: "1995-01-01", rt: W.rt4, provider: .bidan, facility: .puskesmas, record: "a")
        let r = w.run(asOf: "2025-03")
        #expect(r.n("PF", 3, .desa, W.v2) == 1)
        #expect(r.n("PF", 3, .desa, W.v1) == 0)
    }

    /// Spec §6: January's previous month is what a run for 2024 gives for December. A delivery at
    /// home on 2024-12-20 whose facility record (same delivery: 16 days later) arrives on
    /// 2025-01-05: a 2024 run never sees that record, so December has 0; the delivery's date is in
    /// 2024, so 2025 does not count it either.
    @Test func previousDecemberIsWhatTheRunForThatYearGives() {
        var w = DefaultCatalogue.world()
        w.add("PERSALINAN", "ibu", "2024-12-20", born: "1995-01-01", provider: .bidan, facility: .rumah)
        w.add("PERSALINAN", "ibu", "2025-01-05", born: "1995-01-01", provider: .bidan, facility: .puskesmas)
        // A second woman delivered at a puskesmas on 2024-12-28: counts in December only.
        w.add("PERSALINAN", "ibu2", "2024-12-28", born: "1995-01-01", provider: .bidan, facility: .puskesmas)
        let r = w.run(asOf: "2025-03")
        #expect(r.row(1, .kabkota, "3201", "PF")?.numeratorPrevMonth == 1)
        #expect(r.cum("PF", 3) == 0)
        let dec = Self.decemberRun(w)
        #expect(dec.n("PF", 12) == 1)
    }

    /// Spec §6 for pregnancies: a 2025 record with an earlier LMP moves the episode's anchor and
    /// with it the trimesters of 2024's visits; the December a 2024 run gives must not see it.
    /// One pregnancy (id H1). 2024-05-06 has its own LMP 2024-04-01 (35 d, TM1 in both runs);
    /// 2025-01-06 has LMP 2024-03-01 (311 d = 44 w, a valid LMP).
    ///
    /// | visit      | anchor 2024-04-01 (2024 run) | anchor 2024-03-01 (all records) |
    /// |------------|------------------------------|---------------------------------|
    /// | 2024-06-24 | 84 d = 12 w, TM1             | 115 d = 16 w, TM2               |
    /// | 2024-09-23 | 175 d = 25 w, TM3            | 206 d = 29 w, TM3               |
    /// | 2024-12-09 | 252 d = 36 w, TM3            | 283 d = 40 w, TM3               |
    ///
    /// The 2024 run has no TM2 visit → no K4; with every record K4 would attain on 2024-12-09.
    @Test func previousDecemberEpisodesUseRecordsUpToDecember() {
        var w = DefaultCatalogue.world()
        w.add("ANC", "ibu", "2024-05-06", born: "1995-01-01", lmp: "2024-04-01", pregnancy: "H1")
        for d in ["2024-06-24", "2024-09-23", "2024-12-09"] { w.add("ANC", "ibu", d, born: "1995-01-01", pregnancy: "H1") }
        w.add("ANC", "ibu", "2025-01-06", born: "1995-01-01", lmp: "2024-03-01", pregnancy: "H1")
        let dec = Self.decemberRun(w)
        #expect(dec.n("K4", 12) == 0)
        let r = w.run(asOf: "2025-02")
        #expect(r.row(1, .kabkota, "3201", "K4")?.numeratorPrevMonth == 0)
        #expect(r.cum("K4", 2) == 0)
        #expect(r.row(1, .kabkota, "3201", "K1")?.numeratorPrevMonth == 0)   // K1 was in May 2024
    }

    /// The same world run for 2024 as of December.
    static func decemberRun(_ w: World) -> AggregateResult {
        var past = w
        past.set.events = w.set.events.filter { $0.visit <= day("2024-12-31") }
        return past.run(asOf: "2024-12")
    }

    // MARK: children

    /// Baby 1 born 2025-02-01: KN at 2 days (02-03), 7 days (02-08), 28 days (03-01).
    /// Baby 2 born 2025-02-01: KN at 3 days (02-04), 7 and 28 days: no KN1, no KN lengkap.
    @Test func kn1AndKnLengkap() {
        var w = DefaultCatalogue.world()
        for (d, rt) in [("2025-02-03", W.rt1), ("2025-02-08", W.rt1), ("2025-03-01", W.rt2)] {
            w.add("KN", "bayi1", d, born: "2025-02-01", rt: rt, sex: .male)
        }
        for d in ["2025-02-04", "2025-02-08", "2025-03-01"] { w.add("KN", "bayi2", d, born: "2025-02-01") }
        let r = w.run(asOf: "2025-03")
        #expect(r.months("KN1") == [0, 1, 0])
        #expect(r.months("KN_LENGKAP") == [0, 0, 1])
        #expect(r.n("KN_LENGKAP", 3, .rt, W.rt2) == 1)
    }

    static let basicDoses = ["HB0", "BCG", "POLIO1", "POLIO2", "POLIO3", "POLIO4", "DPTHBHIB1", "DPTHBHIB2",
                             "DPTHBHIB3", "IPV1"]

    /// Both born 2024-03-01; 2025-03-01 is 365 days later (2024 is a leap year: 306 + 59).
    /// anak1: MR1 on 2025-02-28 (364 d) → IDL in February. anak2: MR1 on 2025-03-01 (365 d) →
    /// not < 365, no IDL. anak2: DPTHBHIB4 on 2025-03-01 (365 d, inside 365–729) and MR2 on
    /// 2025-04-15 (410 d) → IBADUTA (the former IBL) in April at the MR2 record's area. Neither has
    /// PCV, RV or IPV2 → no IBL of the current schedule.
    @Test func immunisationAtExactly365Days() {
        var w = DefaultCatalogue.world()
        for child in ["anak1", "anak2"] {
            for (k, dose) in Self.basicDoses.enumerated() {
                let month = k + 3   // March … December 2024, all well under 365 days
                w.add(dose, child, "2024-\(month < 10 ? "0" : "")\(month)-15", born: "2024-03-01")
            }
        }
        w.add("MR1", "anak1", "2025-02-28", born: "2024-03-01", rt: W.rt3)
        w.add("MR1", "anak2", "2025-03-01", born: "2024-03-01")
        w.add("DPTHBHIB4", "anak2", "2025-03-01", born: "2024-03-01")
        w.add("MR2", "anak2", "2025-04-15", born: "2024-03-01", rt: W.rt5)
        let r = w.run(asOf: "2025-06")
        #expect(r.months("IDL") == [0, 1, 0, 0, 0, 0])
        #expect(r.n("IDL", 2, .rt, W.rt3) == 1)
        #expect(r.months("IBADUTA") == [0, 0, 0, 1, 0, 0])
        #expect(r.n("IBADUTA", 4, .desa, W.v3) == 1)
        #expect(r.cum("IBL", 6) == 0)
    }

    /// An each-of whose last dose is missing is not attained however many others there are.
    @Test func idlNeedsEveryDose() {
        var w = DefaultCatalogue.world()
        for dose in Self.basicDoses { w.add(dose, "anak", "2025-02-15", born: "2025-01-01") }
        let r = w.run(asOf: "2025-06")
        #expect(r.cum("IDL", 6) == 0)
    }

    /// Weighings (kg), all children born 2023-01-15 at RT 1 unless said:
    /// c1: Feb 10.0, Mar 10.5 → N in March. c2: Feb 10.0, Mar 10.0 → equal, not N.
    /// c3: Jan 9.0, Mar 9.5 → no weight in February, not N.
    /// c4: Feb 8.0, Mar 3 7.0 (RT 1) and Mar 20 8.5 (Sukajadi) → last of March 8.5 > 8.0 → N, at
    /// the D_S area = its latest March record (Sukajadi).
    /// D: Jan 1 (c3); Feb 3 (c1, c2, c4); Mar 4. N: Jan 0, Feb 0, Mar 2.
    /// N/D March = 2/4 = 50.00 %; February 0/3 → trend naik; 50 < 80 → cukup; gap -30.00.
    @Test func dsAndNdMonthlyIncrease() {
        var w = DefaultCatalogue.world()
        let b = "2023-01-15"
        w.add("TIMBANG", "c1", "2025-02-10", born: b, result: 10.0)
        w.add("TIMBANG", "c1", "2025-03-10", born: b, result: 10.5)
        w.add("TIMBANG", "c2", "2025-02-10", born: b, result: 10.0)
        w.add("TIMBANG", "c2", "2025-03-10", born: b, result: 10.0)
        w.add("TIMBANG", "c3", "2025-01-10", born: b, result: 9.0)
        w.add("TIMBANG", "c3", "2025-03-10", born: b, result: 9.5)
        w.add("TIMBANG", "c4", "2025-02-10", born: b, result: 8.0)
        w.add("TIMBANG", "c4", "2025-03-03", born: b, result: 7.0)
        w.add("TIMBANG", "c4", "2025-03-20", born: b, rt: W.rt4, result: 8.5)
        // Born 2020-02-01: 59 months on 2025-01-31 (counted), 60 months on 2025-02-01 (not).
        w.add("TIMBANG", "old", "2025-01-31", born: "2020-02-01", result: 15)
        w.add("TIMBANG", "old", "2025-02-01", born: "2020-02-01", result: 15)
        let r = w.run(asOf: "2025-03")
        #expect(r.months("D_S") == [2, 3, 4])
        #expect(r.months("N_D") == [0, 0, 2])
        #expect(r.n("N_D", 3, .desa, W.v2) == 1)
        #expect(r.n("D_S", 3, .desa, W.v2) == 1)
        let nd = r.row(3, .kabkota, "3201", "N_D")
        #expect(nd?.denominator == 4)
        #expect(nd?.denominatorSource == "D_S")
        #expect(nd?.coverageMonthPct == Percent(hundredths: 5000))
        #expect(nd?.coveragePrevMonthPct == Percent(hundredths: 0))
        #expect(nd?.numeratorCumulative == nil)
        #expect(nd?.trend == "naik")
        #expect(nd?.targetPct == Percent(hundredths: 8000))
        #expect(nd?.gapPct == Percent(hundredths: -3000))
        #expect(nd?.status == "cukup")
        // January: D = 2 (c3, old), no earlier month → coverage 0/2, previous undefined, counts as 0.
        let jan = r.row(1, .kabkota, "3201", "N_D")
        #expect(jan?.coveragePrevMonthPct == nil)
        #expect(jan?.trend == "tetap")
    }

    /// N_D without any D at the area: coverage and trend empty, denominator 0 with its source.
    @Test func ndWithoutWeighingsHasNoCoverageOrTrend() {
        var w = DefaultCatalogue.world()
        w.add("TIMBANG", "c1", "2025-02-10", born: "2023-01-15", rt: W.rt4, result: 10.0)
        let r = w.run(asOf: "2025-02")
        let row = r.row(2, .desa, W.v1, "N_D")
        #expect(row?.denominator == 0)
        #expect(row?.denominatorSource == "D_S")
        #expect(row?.coverageMonthPct == nil)
        #expect(row?.trend == "")
        #expect(row?.status == "")
    }

    // MARK: year scope

    /// rem1 born 2010-05-01 (14 y) screened 2025-04-01 → April. rem2 born 2006-03-01 (19 y) → not.
    /// rem3 born 2012-01-01 screened 2024-06-01 and 2025-02-01 → counts in 2025 (February).
    /// rem4 screened only 2024-06-01 and 2024-12-10 → not in 2025; December's is January's
    /// previous month.
    @Test func skriningRemajaIsPerYear() {
        var w = DefaultCatalogue.world()
        w.add("SKRINING_REMAJA", "rem1", "2025-04-01", born: "2010-05-01", rt: W.rt6)
        w.add("SKRINING_REMAJA", "rem2", "2025-04-01", born: "2006-03-01")
        w.add("SKRINING_REMAJA", "rem3", "2024-06-01", born: "2012-01-01")
        w.add("SKRINING_REMAJA", "rem3", "2025-02-01", born: "2012-01-01")
        w.add("SKRINING_REMAJA", "rem4", "2024-06-01", born: "2012-01-01")
        w.add("SKRINING_REMAJA", "rem4", "2024-12-10", born: "2012-01-01")
        let r = w.run(asOf: "2025-04")
        #expect(r.months("SKRINING_REMAJA") == [0, 1, 0, 1])
        #expect(r.cum("SKRINING_REMAJA", 4) == 2)
        #expect(r.n("SKRINING_REMAJA", 4, .rt, W.rt6) == 1)
        // December 2024: rem4 (and rem3) attained 2024 on 2024-06-01, so nobody in December.
        #expect(r.row(1, .kabkota, "3201", "SKRINING_REMAJA")?.numeratorPrevMonth == 0)
    }

    /// A year-scope indicator attained in December 2024 shows as January's previous month only.
    @Test func yearScopeDecemberIsPreviousMonthOfJanuary() {
        var w = DefaultCatalogue.world()
        w.target("remaja", W.v1, 4)
        w.add("SKRINING_REMAJA", "rem", "2024-12-10", born: "2012-01-01")
        let r = w.run(asOf: "2025-02")
        let jan = r.row(1, .desa, W.v1, "SKRINING_REMAJA")
        #expect(jan?.numeratorPrevMonth == 1)
        #expect(jan?.coveragePrevMonthPct == Percent(hundredths: 2500))   // 1/4 with 2025's denominator
        #expect(jan?.numeratorCumulative == 0)
        #expect(jan?.trend == "turun")
    }

    /// putri1 born 2011-01-01 (14 y) TTD 2025-05-05 → May. putri2 born 2014-01-01 (11 y) → not.
    @Test func ttdRemajaPutri() {
        var w = DefaultCatalogue.world()
        w.add("TTD_REMAJA", "putri1", "2025-05-05", born: "2011-01-01")
        w.add("TTD_REMAJA", "putri2", "2025-05-05", born: "2014-01-01")
        let r = w.run(asOf: "2025-05")
        #expect(r.months("TTD_REMAJA_PUTRI") == [0, 0, 0, 0, 1])
    }

    /// p1 (35 y): IMT 02-01, TENSI 03-01, GDS 03-15 at Sukajadi → both SPM indicators in March.
    /// p2 born 1965-06-01: LINGKAR_PERUT 01-10 and TENSI 05-01 at 59 y, GDS 06-01 at 60 y →
    /// neither (GDS outside 15–59). p3 born 2008-03-01 (17 y): IMT, TENSI, GDS in April →
    /// usia produktif (15–59) only, not dewasa (18–59).
    @Test func spmUsiaProduktifAndSkriningPtmDewasa() {
        var w = DefaultCatalogue.world()
        w.add("IMT", "p1", "2025-02-01", born: "1990-01-01", result: 22)
        w.add("TENSI", "p1", "2025-03-01", born: "1990-01-01", result: 120, dia: 80)
        w.add("GDS", "p1", "2025-03-15", born: "1990-01-01", rt: W.rt4, result: 100)
        w.add("LINGKAR_PERUT", "p2", "2025-01-10", born: "1965-06-01", result: 80)
        w.add("TENSI", "p2", "2025-05-01", born: "1965-06-01", result: 120, dia: 80)
        w.add("GDS", "p2", "2025-06-01", born: "1965-06-01", result: 100)
        for s in ["IMT", "TENSI", "GDS"] { w.add(s, "p3", "2025-04-10", born: "2008-03-01") }
        let r = w.run(asOf: "2025-06")
        #expect(r.months("SPM_USIA_PRODUKTIF") == [0, 0, 1, 1, 0, 0])
        #expect(r.months("SKRINING_PTM_DEWASA") == [0, 0, 1, 0, 0, 0])
        #expect(r.n("SPM_USIA_PRODUKTIF", 3, .desa, W.v2) == 1)
    }

    /// Born 1960-01-01: SKILAS 2025-02-02 at 65 y → February; a 59-year-old's SKILAS → not.
    @Test func spmLansia() {
        var w = DefaultCatalogue.world()
        w.add("SKILAS", "l1", "2025-02-02", born: "1960-01-01")
        w.add("SKILAS", "l2", "2025-02-02", born: "1966-01-01")
        let r = w.run(asOf: "2025-02")
        #expect(r.months("SPM_LANSIA") == [0, 1])
    }

    /// Screened twice in the year: counted once, in January. Count only: no denominator, no
    /// coverage, no target, no status; the trend still compares numerators.
    @Test func skriningTbCountsOnlyOnce() {
        var w = DefaultCatalogue.world()
        w.add("SKRINING_TB", "x", "2025-01-20", born: "1980-01-01", sex: .male)
        w.add("SKRINING_TB", "x", "2025-03-01", born: "1980-01-01", sex: .male)
        let r = w.run(asOf: "2025-03")
        #expect(r.months("SKRINING_TB") == [1, 0, 0])
        let feb = r.row(2, .kabkota, "3201", "SKRINING_TB")
        #expect(feb?.denominator == nil)
        #expect(feb?.denominatorSource == "")
        #expect(feb?.coverageMonthPct == nil)
        #expect(feb?.targetPct == nil)
        #expect(feb?.trend == "turun")
        #expect(feb?.status == "")
    }

    /// A 150/85 (March) → yes; B 130/90 (April) → yes by DIA; C 139/89 → no; D (14 y) 150/95 → no.
    @Test func hipertensiBySysOrDia() {
        var w = DefaultCatalogue.world()
        w.add("TENSI", "A", "2025-03-05", born: "1970-01-01", result: 150, dia: 85)
        w.add("TENSI", "B", "2025-04-05", born: "1970-01-01", result: 130, dia: 90)
        w.add("TENSI", "C", "2025-04-05", born: "1970-01-01", result: 139, dia: 89)
        w.add("TENSI", "D", "2025-04-05", born: "2011-01-01", result: 150, dia: 95)
        let r = w.run(asOf: "2025-04")
        #expect(r.months("HIPERTENSI") == [0, 0, 1, 1])
    }

    // MARK: analysis on the default catalogue

    /// D_S with sasaran balita 5 at Sukajadi; children weighed per month: 5, 4, 4, 5, 3, 3.
    /// Coverage 100, 80, 80, 100, 60, 60 % against the monthly target 80 %:
    /// Feb 80 = target, turun → kurang; Mar 80, tetap → baik; Apr 100, naik → baik;
    /// May 60, turun → jelek; Jun 60, tetap → cukup.
    @Test func statusAtExactlyTheTarget() {
        var w = DefaultCatalogue.world()
        w.target("balita", W.v2, 5)
        let perMonth = [5, 4, 4, 5, 3, 3]
        for (m, k) in perMonth.enumerated() {
            for c in 0..<k { w.add("TIMBANG", "anak\(c)", "2025-0\(m + 1)-10", born: "2022-01-01", rt: W.rt4, result: 12) }
        }
        let r = w.run(asOf: "2025-06")
        let rows = (1...6).map { r.row($0, .desa, W.v2, "D_S")! }
        #expect(rows.map(\.trend) == ["naik", "turun", "tetap", "naik", "turun", "tetap"])
        #expect(rows.map(\.status) == ["baik", "kurang", "baik", "baik", "jelek", "cukup"])
        #expect(rows.map { $0.coverageMonthPct?.hundredths } == [10000, 8000, 8000, 10000, 6000, 6000])
        #expect(rows.map { $0.gapPct?.hundredths } == [2000, 0, 0, 2000, -2000, -2000])
        #expect(rows.allSatisfy { $0.denominator == 5 && $0.denominatorSource == "sasaran" })
    }
}
