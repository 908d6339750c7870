import PWSTestSupport
import PWSCore
import Testing
@testable import Aggregate

/// The indicators the 2023 ILP guidance adds to spec §5.2 (amendments-2 §A5) that the existing
/// rule kinds express, on hand-made records of reporting year 2025; the arithmetic is in the
/// comments. Definitions and sources: docs/guidance.md.
@Suite struct IndicatorCatalogueILPTests {
    typealias W = World

    /// The default catalogue's ids, in order: §5.2's 19 with the §A5 ones in their places.
    @Test func defaultCatalogueOrder() {
        #expect(DefaultCatalogue.indicators.map(\.id) == [
            "K1", "K1_MURNI", "K2", "K3", "K4", "K5", "K6", "ANEMIA_BUMIL", "KEK_BUMIL", "TTD_BUMIL90", "DETEKSI_RISTI_NAKES",
            "PF", "PF_NAKES", "KF1", "KF2", "KF3", "KF4",
            "KF_LENGKAP", "KN1", "KN2", "KN3", "KN_LENGKAP", "IBL", "IBADUTA", "IDL", "IMM_DPT1", "IMM_DPT3",
            "IMM_MR1", "DO_DPT1_MR1", "DO_DPT1_DPT3", "UCI_DESA", "D_S", "N_D", "T", "2T", "BGM", "UNDERWEIGHT", "STUNTING", "WASTING", "GIZI_BURUK", "OVERWEIGHT", 
            "VITA_BALITA",
            "SKRINING_REMAJA", "TTD_REMAJA_PUTRI", "SPM_USIA_PRODUKTIF", "SKRINING_PTM_DEWASA", "SPM_LANSIA",
            "SKRINING_TB", "HIPERTENSI",
        ])
    }

    // MARK: ANC visit counts (1× TM1, 2× TM2, 3× TM3)

    /// LMP 2025-01-06 for both women.
    /// A: 02-10 = 35 d (5 w, TM1), 04-21 = 105 d (15 w, TM2), 05-19 = 133 d (19 w, TM2, at RT 3),
    ///    07-14 = 189 d (27 w, TM3), 08-11 = 217 d (31 w, TM3).
    ///    K2 (TM1 1, TM2 1) at 04-21; K3 (TM1 1, TM2 2) at 05-19; K4 (1, 1, 2) and K5 (1, 2, 2)
    ///    both at 08-11; K6 needs a third TM3 visit → no.
    /// B: 02-10 (TM1), 07-14 and 08-11 (TM3): no TM2 visit → no K2, K3, K4 or K5; K1 in February.
    @Test func k2k3k5FollowTheOneTwoThreeSequence() {
        var w = DefaultCatalogue.world()
        for person in ["A", "B"] {
            w.add("ANC", person, "2025-02-10", born: "1995-05-01", lmp: "2025-01-06")
        }
        w.add("ANC", "A", "2025-04-21", born: "1995-05-01")
        w.add("ANC", "A", "2025-05-19", born: "1995-05-01", rt: W.rt3)
        for person in ["A", "B"] {
            w.add("ANC", person, "2025-07-14", born: "1995-05-01")
            w.add("ANC", person, "2025-08-11", born: "1995-05-01")
        }
        let r = w.run(asOf: "2025-09")
        #expect(r.months("K1") == [0, 2, 0, 0, 0, 0, 0, 0, 0])
        #expect(r.months("K2") == [0, 0, 0, 1, 0, 0, 0, 0, 0])
        #expect(r.months("K3") == [0, 0, 0, 0, 1, 0, 0, 0, 0])
        #expect(r.n("K3", 5, .rt, W.rt3) == 1)            // at the visit that completed it
        #expect(r.months("K4") == [0, 0, 0, 0, 0, 0, 0, 1, 0])
        #expect(r.months("K5") == [0, 0, 0, 0, 0, 0, 0, 1, 0])
        #expect(r.cum("K6", 9) == 0)
    }

    /// K5 = (1, 2, 2): two TM2 visits and two TM3 visits are needed, where K4 = (1, 1, 2) needs one
    /// TM2 visit. LMP 2025-01-06: 02-10 (TM1), 04-21 (TM2), 07-14 and 08-11 (TM3) → K4 in August,
    /// no K3, no K5.
    @Test func k5NeedsTwoSecondTrimesterVisits() {
        var w = DefaultCatalogue.world()
        w.add("ANC", "ibu", "2025-02-10", born: "1995-05-01", lmp: "2025-01-06")
        for d in ["2025-04-21", "2025-07-14", "2025-08-11"] { w.add("ANC", "ibu", d, born: "1995-05-01") }
        let r = w.run(asOf: "2025-09")
        #expect(r.cum("K4", 9) == 1)
        #expect(r.cum("K2", 9) == 1)
        #expect(r.cum("K3", 9) == 0)
        #expect(r.cum("K5", 9) == 0)
    }

    // MARK: deliveries

    /// Four deliveries on 2025-03-01: A puskesmas/bidan, B home/bidan, C home/kader,
    /// D rumah sakit/dokter. PF (facility and nakes) = A, D = 2; PF_NAKES (nakes, any place) =
    /// A, B, D = 3, on the delivery date (March), B's at its record's area (Sukajadi).
    @Test func pfNakesCountsHealthWorkersAnywhere() {
        var w = DefaultCatalogue.world()
        w.add("PERSALINAN", "A", "2025-03-01", born: "1995-01-01", provider: .bidan, facility: .puskesmas)
        w.add("PERSALINAN", "B", "2025-03-01", born: "1995-01-01", rt: W.rt4, provider: .bidan, facility: .rumah)
        w.add("PERSALINAN", "C", "2025-03-01", born: "1995-01-01", provider: .kader, facility: .rumah)
        w.add("PERSALINAN", "D", "2025-03-01", born: "1995-01-01", provider: .dokter, facility: .rumahSakit)
        let r = w.run(asOf: "2025-03")
        #expect(r.months("PF") == [0, 0, 2])
        #expect(r.months("PF_NAKES") == [0, 0, 3])
        #expect(r.n("PF_NAKES", 3, .desa, W.v2) == 1)
        #expect(r.n("PF", 3, .desa, W.v2) == 0)
    }

    /// Deliveries on 2025-03-01.
    /// A: NIFAS on days 2 (03-03, Sukajadi), 7 (03-08), 28 (03-29), 42 (04-12): every window at its
    ///    upper edge → KF1, KF2, KF3 in March, KF4 in April.
    /// B: NIFAS on days 1 (03-02) and 9 (03-10) → KF1 and KF3 in March.
    /// C: NIFAS on day 3 (03-04) → KF2; day 43 (04-13) belongs to no delivery → no KF4.
    /// KF1 [0, 0, 2, 0], KF2 [0, 0, 2, 0], KF3 [0, 0, 2, 0], KF4 [0, 0, 0, 1]; KF_LENGKAP: A in April.
    @Test func kf1ToKf4EachInItsWindow() {
        var w = DefaultCatalogue.world()
        for person in ["A", "B", "C"] {
            w.add("PERSALINAN", person, "2025-03-01", born: "1995-01-01", provider: .bidan, facility: .puskesmas)
        }
        w.add("NIFAS", "A", "2025-03-03", born: "1995-01-01", rt: W.rt4)
        for d in ["2025-03-08", "2025-03-29", "2025-04-12"] { w.add("NIFAS", "A", d, born: "1995-01-01") }
        for d in ["2025-03-02", "2025-03-10"] { w.add("NIFAS", "B", d, born: "1995-01-01") }
        w.add("NIFAS", "C", "2025-03-04", born: "1995-01-01")
        w.add("NIFAS", "C", "2025-04-13", born: "1995-01-01")
        let r = w.run(asOf: "2025-04")
        #expect(r.months("KF1") == [0, 0, 2, 0])
        #expect(r.n("KF1", 3, .desa, W.v2) == 1)           // A's day-2 visit was in Sukajadi
        #expect(r.months("KF2") == [0, 0, 2, 0])
        #expect(r.months("KF3") == [0, 0, 2, 0])
        #expect(r.months("KF4") == [0, 0, 0, 1])
        #expect(r.months("KF_LENGKAP") == [0, 0, 0, 1])
    }

    // MARK: newborns

    /// Born 2025-02-01. bayi1: KN at 2 d (02-03), 7 d (02-08), 28 d (03-01, RT 2).
    /// bayi2: KN at 3 d (02-04) and 8 d (02-09).
    /// KN1 = bayi1 (Feb); KN2 = both (Feb); KN3 = bayi2 (Feb), bayi1 (Mar, at RT 2).
    @Test func kn2AndKn3Windows() {
        var w = DefaultCatalogue.world()
        w.add("KN", "bayi1", "2025-02-03", born: "2025-02-01")
        w.add("KN", "bayi1", "2025-02-08", born: "2025-02-01")
        w.add("KN", "bayi1", "2025-03-01", born: "2025-02-01", rt: W.rt2)
        w.add("KN", "bayi2", "2025-02-04", born: "2025-02-01")
        w.add("KN", "bayi2", "2025-02-09", born: "2025-02-01")
        let r = w.run(asOf: "2025-03")
        #expect(r.months("KN1") == [0, 1, 0])
        #expect(r.months("KN2") == [0, 2, 0])
        #expect(r.months("KN3") == [0, 1, 1])
        #expect(r.n("KN3", 3, .rt, W.rt2) == 1)
        #expect(r.months("KN_LENGKAP") == [0, 0, 1])
    }

    // MARK: immunisation

    static let idlDoses = ["HB0", "BCG", "POLIO1", "POLIO2", "POLIO3", "POLIO4", "DPTHBHIB1", "DPTHBHIB2",
                           "DPTHBHIB3", "IPV1"]
    /// The doses of the current schedule that the 2017 IDL does not have, all given in 2024.
    static let newDoses = [("PCV1", "2024-05-15"), ("PCV2", "2024-06-15"), ("RV1", "2024-05-15"),
                           ("RV2", "2024-06-15"), ("RV3", "2024-07-15"), ("IPV2", "2024-12-01")]

    /// Three children born 2024-03-01 (2025-02-28 is 364 days later, 2024 being a leap year),
    /// each with the ten 2017 doses in 2024 and MR1 on 2025-02-28 (RT 3 for anak1).
    /// anak1 also has every new dose → IDL and IBL in February, at RT 3.
    /// anak2 has the new doses but RV3 → IDL in February, no IBL.
    /// anak3 has them with IPV2 on 2025-03-01 (365 days, after the first birthday) → IDL only.
    /// IDL February = 3, IBL February = 1.
    @Test func iblNeedsTheCurrentScheduleAndIdlKeeps2017() {
        var w = DefaultCatalogue.world()
        for child in ["anak1", "anak2", "anak3"] {
            for (k, dose) in Self.idlDoses.enumerated() {
                let month = k + 3   // March … December 2024
                w.add(dose, child, "2024-\(month < 10 ? "0" : "")\(month)-15", born: "2024-03-01")
            }
            w.add("MR1", child, "2025-02-28", born: "2024-03-01", rt: child == "anak1" ? W.rt3 : W.rt1)
        }
        for (dose, date) in Self.newDoses { w.add(dose, "anak1", date, born: "2024-03-01") }
        for (dose, date) in Self.newDoses where dose != "RV3" { w.add(dose, "anak2", date, born: "2024-03-01") }
        for (dose, date) in Self.newDoses where dose != "IPV2" { w.add(dose, "anak3", date, born: "2024-03-01") }
        w.add("IPV2", "anak3", "2025-03-01", born: "2024-03-01")
        let r = w.run(asOf: "2025-04")
        #expect(r.months("IDL") == [0, 3, 0, 0])
        #expect(r.months("IBL") == [0, 1, 0, 0])
        #expect(r.n("IBL", 2, .rt, W.rt3) == 1)
        #expect(r.cum("IBADUTA", 4) == 0)
    }

    /// IBADUTA is the former IBL (DPT-HB-Hib4 and MR2 at 12–23 months). Born 2023-06-10:
    /// 2024-06-10 = 366 d (2024 leap), 2025-06-09 = 730 d. DPTHBHIB4 2024-12-10 (549 d) and MR2
    /// 2025-01-20 (590 d) → January. A second child's MR2 at 2025-06-09 (730 d) is outside → no.
    @Test func ibadutaIsTheFormerIbl() {
        var w = DefaultCatalogue.world()
        for child in ["a", "b"] { w.add("DPTHBHIB4", child, "2024-12-10", born: "2023-06-10") }
        w.add("MR2", "a", "2025-01-20", born: "2023-06-10", rt: W.rt5)
        w.add("MR2", "b", "2025-06-09", born: "2023-06-10")
        let r = w.run(asOf: "2025-06")
        #expect(r.months("IBADUTA") == [1, 0, 0, 0, 0, 0])
        #expect(r.n("IBADUTA", 1, .desa, W.v3) == 1)
        let row = r.row(1, .kabkota, "3201", "IBADUTA")
        #expect(row?.targetPct == Percent(hundredths: 750))   // 90 % × 1/12 = 7.50 %
    }
}
