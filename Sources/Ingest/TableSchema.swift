/// One field of an input table: its canonical column name, its aliases, and whether the
/// column must be present.
public struct FieldSpec: Sendable, Hashable {
    /// The canonical (English, snake_case) column name, e.g. `village_code`.
    public var name: String
    /// Other accepted column names, e.g. `kode_desa`, already in normalised form.
    public var aliases: [String]
    /// Whether a file without this column is rejected (`E-COLUMNS`).
    public var required: Bool

    /// A field with its canonical name, aliases and whether it is required.
    public init(_ name: String, aliases: [String] = [], required: Bool) {
        self.name = name
        self.aliases = aliases
        self.required = required
    }
}

/// The columns of one kind of input file (spec §2.2–§2.4). Field indices are positions in
/// `fields` and are what `TableRow` is asked with.
public struct TableSchema: Sendable, Hashable {
    /// The table's name, e.g. `layanan`, used in messages.
    public var name: String
    /// The fields in a fixed order.
    public var fields: [FieldSpec]

    /// A schema with its name and fields.
    public init(name: String, fields: [FieldSpec]) {
        self.name = name
        self.fields = fields
    }

    /// The index of the field with this canonical name.
    public func index(of name: String) -> Int? {
        fields.firstIndex { $0.name == name }
    }

    /// `wilayah.csv`, the area register (§2.2). Field order: see `WilayahField`.
    public static let wilayah = TableSchema(name: "wilayah", fields: [
        FieldSpec("village_code", aliases: ["kode_desa", "kode_kelurahan"], required: true),
        FieldSpec("village_name", aliases: ["nama_desa", "desa", "kelurahan"], required: true),
        FieldSpec("district_name", aliases: ["nama_kecamatan", "kecamatan"], required: true),
        FieldSpec("regency_name", aliases: ["nama_kabkota", "kabupaten", "kota"], required: true),
        FieldSpec("puskesmas_code", aliases: ["kode_puskesmas"], required: true),
        FieldSpec("puskesmas_name", aliases: ["nama_puskesmas", "puskesmas"], required: true),
        FieldSpec("hamlet", aliases: ["dusun"], required: false),
        FieldSpec("rw", required: true),
        FieldSpec("rt", required: true),
        FieldSpec("population", aliases: ["penduduk", "jumlah_penduduk"], required: false),
    ])

    /// `sasaran.csv`, target populations (§2.3). Field order: see `SasaranField`.
    public static let sasaran = TableSchema(name: "sasaran", fields: [
        FieldSpec("year", aliases: ["tahun"], required: true),
        FieldSpec("village_code", aliases: ["kode_desa"], required: true),
        FieldSpec("rw", required: false),
        FieldSpec("rt", required: false),
        FieldSpec("target_group", aliases: ["kelompok", "kelompok_sasaran"], required: true),
        FieldSpec("count", aliases: ["jumlah"], required: true),
    ])

    /// Service records, `layanan.csv` and `layanan/*.csv` (§2.4). Field order: see `LayananField`.
    public static let layanan = TableSchema(name: "layanan", fields: [
        FieldSpec("record_id", aliases: ["id_kunjungan", "id"], required: true),
        FieldSpec("visit_date", aliases: ["tanggal_kunjungan", "tanggal", "tgl_kunjungan"], required: true),
        FieldSpec("person_id", aliases: ["nik", "id_pasien", "no_identitas"], required: true),
        FieldSpec("birth_date", aliases: ["tanggal_lahir", "tgl_lahir"], required: true),
        FieldSpec("sex", aliases: ["jenis_kelamin", "jk"], required: true),
        FieldSpec("village_code", aliases: ["kode_desa", "kode_kelurahan"], required: true),
        FieldSpec("rw", required: true),
        FieldSpec("rt", required: true),
        FieldSpec("facility_type", aliases: ["jenis_fasilitas", "tempat_layanan"], required: true),
        FieldSpec("facility_id", aliases: ["kode_fasilitas", "kode_posyandu"], required: false),
        FieldSpec("service_code", aliases: ["kode_layanan", "layanan"], required: true),
        FieldSpec("result", aliases: ["hasil", "nilai"], required: false),
        FieldSpec("provider", aliases: ["nakes", "pemberi_layanan"], required: false),
        FieldSpec("pregnancy_id", aliases: ["id_kehamilan"], required: false),
        FieldSpec("lmp_date", aliases: ["hpht"], required: false),
        FieldSpec("gestational_weeks", aliases: ["usia_kehamilan"], required: false),
        // Kept only with --keep-identifiers, for tindak-lanjut.csv (amendments §A4).
        FieldSpec("name", aliases: ["nama", "nama_anak", "nama_balita", "nama_pasien"], required: false),
    ])
}

/// Field indices of `TableSchema.wilayah`, for `TableRow` look-ups without a string.
public enum WilayahField: Int, Sendable, CaseIterable {
    case villageCode, villageName, districtName, regencyName, puskesmasCode, puskesmasName
    case hamlet, rw, rt, population
}

/// Field indices of `TableSchema.sasaran`.
public enum SasaranField: Int, Sendable, CaseIterable {
    case year, villageCode, rw, rt, targetGroup, count
}

/// Field indices of `TableSchema.layanan`.
public enum LayananField: Int, Sendable, CaseIterable {
    case recordID, visitDate, personID, birthDate, sex, villageCode, rw, rt, facilityType, facilityID
    case serviceCode, result, provider, pregnancyID, lmpDate, gestationalWeeks, name
}
