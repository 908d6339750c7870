import PWSCore

/// Indonesian words and number formats of the report. Numbers follow Indonesian usage
/// (decimal comma, `12,35`), unlike the CSVs, which keep the decimal point for machines.
enum ReportText {
    static let monthNames = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli",
                             "Agustus", "September", "Oktober", "November", "Desember"]
    static let monthShort = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep",
                             "Okt", "Nov", "Des"]

    static func monthName(_ m: Int) -> String { (1...12).contains(m) ? monthNames[m - 1] : "\(m)" }
    static func monthShortName(_ m: Int) -> String { (1...12).contains(m) ? monthShort[m - 1] : "\(m)" }

    /// `12,35`, or `–` when undefined (the table cells' format, `HTMLWriter.pct`).
    static func pct(_ p: Percent?) -> String {
        var w = HTMLWriter(capacity: 16)
        w.pct(p)
        return w.html.markup
    }

    /// Gap with an explicit sign: `+3,50`, `-12,00`.
    static func gap(_ p: Percent?) -> String {
        var w = HTMLWriter(capacity: 16)
        w.gap(p)
        return w.html.markup
    }

    /// Integers with Indonesian thousands dots: `12.345`.
    static func int(_ n: Int?) -> String {
        var w = HTMLWriter(capacity: 16)
        w.count(n)
        return w.html.markup
    }

    /// Trend word with an arrow that survives black-and-white printing.
    static func trend(_ t: String) -> StaticString {
        switch t {
        case "naik": "▲ naik"
        case "tetap": "► tetap"
        case "turun": "▼ turun"
        default: "–"
        }
    }

    /// Status as written in the tables (text, so it reads without colour).
    static func status(_ s: String) -> String { s.isEmpty ? "–" : s }

    /// CSS class of a status: `sb` baik, `sk` kurang, `sc` cukup, `sj` jelek, `sn` none. Short
    /// because a district page carries about a hundred thousand of them.
    static func statusClass(_ s: String) -> StaticString {
        switch s {
        case "baik": "sb"
        case "kurang": "sk"
        case "cukup": "sc"
        case "jelek": "sj"
        default: "sn"
        }
    }

    /// One-letter status marker for dense cells (legend: B, K, C, J).
    static func statusLetter(_ s: String) -> StaticString {
        switch s {
        case "baik": "B"
        case "kurang": "K"
        case "cukup": "C"
        case "jelek": "J"
        default: ""
        }
    }

    static func scope(_ s: String) -> String {
        switch s {
        case "lifetime": "kumulatif (seumur sasaran)"
        case "year": "kumulatif tahunan"
        case "monthly": "bulanan"
        default: s
        }
    }

    /// The kabupaten/kota's title: its register name, with "Kabupaten/Kota " before it unless
    /// the name already says which it is ("Kabupaten Karangmukti" stays as it is).
    static func regency(_ name: String) -> String {
        let lower = name.lowercased()
        let named = ["kabupaten ", "kota ", "kab. ", "kab "].contains { lower.hasPrefix($0) }
        return named ? name : "Kabupaten/Kota \(name)"
    }

    /// What an indicator counts; an area count (denominator `villages`, UCI_DESA) counts villages.
    static func subject(_ s: String, denominator: String = "") -> String {
        if denominator == "villages" { return "desa/kelurahan" }
        return switch s {
        case "person": "orang"
        case "pregnancy": "kehamilan"
        case "delivery": "persalinan"
        default: s
        }
    }

    /// A sasaran the Indonesian way, as the tables write it (`1.018,5`, `96`).
    static func sasaran(_ d: ExactDecimal) -> String {
        var w = HTMLWriter(capacity: 64)
        w.sasaran(d)
        return w.html.markup
    }

    /// Whether `d` is a target group (sasaran): not another indicator's numerator, those
    /// measured, or the villages.
    static func isTargetGroup(_ d: String) -> Bool {
        !d.isEmpty && !d.hasPrefix("indicator:") && d != "measured" && d != "villages"
    }

    static func denominator(_ d: String) -> String {
        if d.isEmpty { return "tanpa sasaran (jumlah saja)" }
        if d.hasPrefix("indicator:") { return "pembilang indikator " + d.dropFirst("indicator:".count) + " (bukan sasaran proyeksi)" }
        switch d {
        case "bumil": return "ibu hamil (bumil)"
        case "bulin": return "ibu bersalin (bulin)"
        case "bayi_lahir_hidup": return "bayi lahir hidup"
        case "bayi": return "bayi (0–11 bulan)"
        case "baduta": return "baduta (bawah dua tahun)"
        case "balita": return "balita (0–59 bulan)"
        case "remaja": return "remaja"
        case "remaja_putri": return "remaja putri"
        case "usia_produktif": return "usia produktif (15–59 tahun)"
        case "dewasa": return "dewasa (18–59 tahun)"
        case "lansia": return "lansia (60+ tahun)"
        case "penduduk": return "penduduk"
        // The SPM target populations (docs/spm.md), for an indicator a district counts over one.
        case "usia_pendidikan_dasar": return "anak usia pendidikan dasar (7–15 tahun)"
        case "penderita_hipertensi": return "penderita hipertensi (15+ tahun)"
        case "penderita_dm": return "penderita diabetes melitus (15+ tahun)"
        case "odgj_berat": return "orang dengan gangguan jiwa (ODGJ) berat"
        case "terduga_tb": return "orang terduga tuberkulosis (TB)"
        case "risiko_hiv": return "orang berisiko terinfeksi HIV"
        case "villages": return "desa/kelurahan terdaftar"
        case "measured": return "yang diperiksa/diukur pada periode itu (bukan sasaran proyeksi)"
        default: return d
        }
    }

    /// What to do about each §3 rule, in Indonesian, for the data-quality table (as the table
    /// of docs/operations.md, "Reading rejects", says it): the table said what each rule means
    /// and never what a puskesmas should do.
    static func action(_ r: RuleCode) -> String {
        switch r {
        case .parse: "perbaiki tanda kutip di baris itu (tanda kutip di dalam isian ditulis dua kali)"
        case .fields: "beri tanda kutip pada isian yang memuat tanda pemisah"
        case .cell: "perbaiki rumus atau isi selnya di Excel, lalu simpan ulang"
        case .columns: "perbaiki baris judul kolom (lihat pesan di rejects.csv)"
        case .fhir: "ekspor ulang dari SATUSEHAT; lihat pesan di rejects.csv"
        case .required: "isi kolom yang kosong"
        case .date: "tulis tanggal sebagai DD/MM/YYYY atau YYYY-MM-DD"
        case .future: "periksa tahunnya (salah ketik) atau jam komputer"
        case .beforeBirth: "salah satu tanggal keliru: periksa tanggal lahir dan tanggal kunjungan"
        case .sex: "tulis L atau P"
        case .person: "perbaiki NIK (16 digit)"
        case .area: "perbaiki kode desa (10 digit Kemendagri) atau tambahkan desanya ke wilayah.csv"
        case .facility: "gunakan posyandu, pustu, puskesmas, rumah_sakit, klinik, rumah atau lainnya"
        case .service: "gunakan kode layanan dari katalog layanan"
        case .eligibility: "periksa jenis kelamin, tanggal lahir dan kode layanan"
        case .duplicateID: "beri tiap catatan ID sendiri; file perbaikan menggantikan file lama, jangan diletakkan di sampingnya"
        case .duplicate: "tidak perlu tindakan (dihitung sekali), atau hapus entri gandanya"
        case .result: "perbaiki hasil dan satuannya; layanannya tetap dihitung"
        case .gestation: "perbaiki HPHT atau usia kehamilan"
        case .areaWarning: "tambahkan RW/RT ke wilayah.csv bila memang ada, atau perbaiki RW/RT-nya"
        case .nik: "cocokkan NIK, tanggal lahir dan jenis kelamin dengan KTP/KK"
        case .nifas: "catat persalinannya atau periksa tanggalnya; kunjungan ini tidak dihitung dalam KF"
        case .growth: "timbang/ukur ulang; periksa satuan, tanda desimal, tanggal lahir dan jenis kelamin"
        }
    }

    /// What each §3 rule means, in Indonesian, for the data-quality tables.
    static func rule(_ r: RuleCode) -> String {
        switch r {
        case .parse: "baris CSV rusak (tanda kutip/ukuran)"
        case .fields: "jumlah kolom tidak sama dengan baris judul kolom"
        case .cell: "sel Excel berisi galat (#N/A …), rumus tanpa nilai, atau teks terlalu panjang (lebih dari 1 MiB per sel)"
        case .columns: "kolom wajib tidak ada: seluruh file ditolak"
        case .fhir: "sumber daya FHIR tidak dapat menjadi catatan layanan"
        case .required: "isian wajib kosong"
        case .date: "tanggal tidak valid"
        case .future: "tanggal kunjungan di masa depan"
        case .beforeBirth: "kunjungan sebelum tanggal lahir"
        case .sex: "jenis kelamin tidak dikenal"
        case .person: "NIK/ID pasien tidak valid"
        case .area: "kode desa tidak ada di daftar wilayah"
        case .facility: "jenis fasilitas tidak dikenal"
        case .service: "kode layanan tidak ada di katalog"
        case .eligibility: "jenis kelamin/umur tidak sesuai layanan"
        case .duplicateID: "ID kunjungan ganda dengan isi berbeda"
        case .duplicate: "kunjungan ganda (dibuang)"
        case .result: "hasil pemeriksaan tidak terbaca/di luar batas"
        case .gestation: "HPHT/usia kehamilan tidak valid"
        case .areaWarning: "RW/RT tidak ada di daftar wilayah"
        case .nik: "NIK tidak cocok dengan tanggal lahir/jenis kelamin"
        case .nifas: "kunjungan nifas tanpa persalinan 42 hari sebelumnya"
        case .growth: "z-skor pertumbuhan tidak masuk akal (batas WHO): berat/panjang/tanggal lahir perlu dicek"
        }
    }

    static func facilityType(_ t: String) -> String {
        switch t {
        case "posyandu": "Posyandu"
        case "pustu": "Pustu"
        case "puskesmas": "Puskesmas"
        case "rumah_sakit": "Rumah sakit"
        case "klinik": "Klinik"
        case "rumah": "Kunjungan rumah"
        case "lainnya": "Lainnya"
        default: t
        }
    }
}
