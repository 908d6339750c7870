import PWSCore

/// The PWSCore decoders as the row checks use them: one place that says which decoder reads
/// which field.
enum Decode {
    @inline(__always) static func date(_ b: UnsafeRawBufferPointer) -> Day? { Day.parse(b) }
    @inline(__always) static func label(_ b: UnsafeRawBufferPointer) -> String? { AreaLabel.normalise(b) }
    @inline(__always) static func villageCode(_ b: UnsafeRawBufferPointer) -> String? { VillageCode.normalise(b) }
    @inline(__always) static func int(_ b: UnsafeRawBufferPointer) -> Int? { NumberField.integer(b) }

    static func result(_ b: UnsafeRawBufferPointer, kind: ResultKind) -> ParsedResult { kind.parse(b) }

    /// A `W-NIK` message when a 16-digit NIK disagrees with birth date or sex.
    /// Without `detailed` the message names no digit of the NIK: with the masked value beside it,
    /// digits 7–12 would give away most of the identifier.
    static func nikDisagreement(_ person: UnsafeRawBufferPointer, birth: Day, sex: Sex, detailed: Bool) -> String? {
        guard person.count == 16, let mismatch = PersonID.checkNIK(person, birth: birth, sex: sex) else { return nil }
        if detailed { return mismatch.message }
        let what = [mismatch.birthDate ? "birth_date" : nil, mismatch.sex ? "sex" : nil].compactMap { $0 }
            .joined(separator: " and ")
        return "the birth date and sex encoded in the NIK (digits 7–12) disagree with \(what): check the NIK, birth_date and sex against the person's KTP/KK"
    }

    static func mask(_ id: String) -> String { PersonID.mask(id) }
}

/// Enumeration decoders with the pipeline's extra spellings.
struct Decoders {
    let sexDecoder: EnumDecoder<Sex>
    let facilityDecoder: EnumDecoder<FacilityType>
    let providerDecoder: EnumDecoder<Provider>
    let services: ServiceCatalogue

    init(valueAliases: [String: [String: String]], services: ServiceCatalogue) {
        // Aliases were checked when the pipeline was loaded; a bad one here is ignored.
        sexDecoder = (try? Sex.decoder.adding(aliases: valueAliases["sex"] ?? [:], what: "sex")) ?? Sex.decoder
        facilityDecoder = (try? FacilityType.decoder.adding(aliases: valueAliases["facility_type"] ?? [:],
                                                            what: "facility_type")) ?? FacilityType.decoder
        providerDecoder = (try? Provider.decoder.adding(aliases: valueAliases["provider"] ?? [:],
                                                        what: "provider")) ?? Provider.decoder
        self.services = (try? services.adding(aliases: valueAliases["service_code"] ?? [:])) ?? services
    }

    @inline(__always) func sex(_ b: UnsafeRawBufferPointer) -> Sex? { sexDecoder.decode(b) }
    @inline(__always) func facility(_ b: UnsafeRawBufferPointer) -> FacilityType? { facilityDecoder.decode(b) }
    @inline(__always) func provider(_ b: UnsafeRawBufferPointer) -> Provider { Provider.decode(b, using: providerDecoder) }
    @inline(__always) func service(_ b: UnsafeRawBufferPointer) -> UInt16? { services.index(of: b) }
}
