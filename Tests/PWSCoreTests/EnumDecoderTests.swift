import Testing
@testable import PWSCore

@Suite struct EnumDecoderTests {
    static let sexes: [(String, Sex?)] = [
        ("L", .male), ("l", .male), ("P", .female), ("p", .female),
        ("M", .male), ("F", .female), ("1", .male), ("2", .female),
        ("Laki-laki", .male), ("LAKI LAKI", .male), ("laki_laki", .male),
        ("Perempuan", .female), ("pria", .male), ("WANITA", .female),
        // Not in the §2.4 list: only a pipeline's aliases add these.
        ("laki", nil), ("lk", nil), ("pr", nil), ("3", nil), ("", nil), ("X", nil),
        ("laki-", nil), ("perempuan2", nil), ("0", nil),
    ]

    @Test(arguments: sexes)
    func sexReadsTheSpecSpellings(_ text: String, _ expected: Sex?) {
        #expect(Sex.decoder.decode(text) == expected)
        #expect(bytes(text) { Sex.decoder.decode($0) } == expected)
    }

    @Test func pipelineAliasesExtendTheList() throws {
        let decoder = try Sex.decoder.adding(aliases: ["lk": "L", "pr": "perempuan", "M": "laki-laki"],
                                             what: "sex")
        #expect(decoder.decode("LK") == .male)
        #expect(decoder.decode("Pr") == .female)
        #expect(decoder.decode("m") == .male)      // same value as before: accepted, unchanged
        #expect(Sex.decoder.decode("lk") == nil)   // the shared decoder is untouched
    }

    @Test func aliasToUnknownValueIsAPipelineError() {
        #expect(throws: PWSError.self) { try Sex.decoder.adding(aliases: ["x": "unknown"], what: "sex") }
        do {
            _ = try Sex.decoder.adding(aliases: ["x": "unknown"], what: "sex")
        } catch let error as PWSError {
            #expect(error.code == .pipelineDefinition)
            #expect(error.message.hasPrefix("sex alias \"x\" points to \"unknown\", which is not a known sex"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func aliasThatAlreadyMeansAnotherValueIsRejected() {
        #expect(throws: PWSError.self) { try Sex.decoder.adding(aliases: ["M": "P"], what: "sex") }
    }

    static let facilities: [(String, FacilityType?)] = [
        ("posyandu", .posyandu), ("Pustu", .pustu), ("PUSKESMAS", .puskesmas),
        ("rumah_sakit", .rumahSakit), ("Rumah Sakit", .rumahSakit), ("rumah-sakit", .rumahSakit),
        ("klinik", .klinik), ("rumah", .rumah), ("Lainnya", .lainnya),
        ("rs", nil), ("rumah sakit umum", nil), ("", nil), ("posyandu ", nil),  // fields arrive trimmed; the decoder does not trim
    ]

    @Test(arguments: facilities)
    func facilityTypeHasSevenCodes(_ text: String, _ expected: FacilityType?) {
        #expect(FacilityType.decoder.decode(text) == expected)
    }

    static let providers: [(String, Provider)] = [
        ("", .none), ("dokter", .dokter), ("Dokter", .dokter), ("BIDAN", .bidan),
        ("perawat", .perawat), ("gizi", .gizi), ("kader", .kader), ("lainnya", .lainnya),
        ("dukun", .lainnya), ("dr.", .lainnya),
    ]

    @Test(arguments: providers)
    func unknownProviderReadsAsLainnya(_ text: String, _ expected: Provider) {
        #expect(Provider.decode(text) == expected)
        #expect(bytes(text) { Provider.decode($0) } == expected)
    }

    @Test func manySpellingsAllDecodeThroughCollisions() {
        // 500 keys force many table growths and probe collisions.
        let entries = (0..<500).map { ("CODE-\($0)", $0) }
        let decoder = EnumDecoder(entries)
        #expect(decoder.count == 500)
        for i in 0..<500 {
            #expect(decoder.decode("code_\(i)") == i)
        }
        #expect(decoder.decode("code_500") == nil)
        #expect(decoder.decode("code") == nil)
    }

    @Test func firstValueOfARepeatedSpellingWins() {
        let decoder = EnumDecoder([("a b", 1), ("A-B", 2)])
        #expect(decoder.decode("a_b") == 1)
        #expect(decoder.count == 1)
    }

    @Test func normaliseLowersAndUnderscores() {
        #expect(EnumDecoder<Int>.normalise("Laki-laki") == "laki_laki")
        #expect(EnumDecoder<Int>.normalise("Rumah Sakit") == "rumah_sakit")
    }
}
