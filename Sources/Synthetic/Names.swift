/// Word lists for fictional place and person names. Combinations of common Sundanese/Javanese
/// name parts: they sound right, and are not meant to name any real place.
enum Names {
    static let placePrefixes = [
        "Suka", "Mekar", "Karang", "Tanjung", "Sindang", "Sumber", "Jati", "Pasir", "Bojong",
        "Cikal", "Marga", "Bina", "Tegal", "Kali", "Wana", "Giri", "Sari", "Rawa", "Bukit", "Talaga",
    ]
    static let placeSuffixes = [
        "jaya", "sari", "mulya", "rahayu", "asih", "wangi", "makmur", "indah", "baru", "mukti",
        "harja", "raya", "luhur", "manik", "galih", "laksana", "tani", "rejo", "agung", "murni",
    ]
    static let flowers = [
        "Melati", "Mawar", "Anggrek", "Kenanga", "Dahlia", "Flamboyan", "Cempaka", "Teratai",
        "Kemuning", "Seruni", "Bougenvil", "Tulip", "Aster", "Nusa Indah", "Sedap Malam", "Asoka",
    ]
    static let hamlets = ["Kaler", "Kidul", "Wetan", "Kulon", "Tengah", "Girang", "Hilir", "Tonggoh"]
    static let femaleFirst = [
        "Siti", "Nur", "Dewi", "Sri", "Ani", "Rina", "Yuli", "Wati", "Lina", "Euis", "Neng",
        "Ratna", "Ayu", "Putri", "Fitri", "Indah", "Lestari", "Rahma", "Nia", "Dian", "Tuti",
        "Imas", "Eti", "Cucu", "Yati", "Aisyah", "Nabila", "Zahra", "Salsa", "Aulia",
    ]
    static let maleFirst = [
        "Agus", "Budi", "Asep", "Dedi", "Ujang", "Rudi", "Hendra", "Yusuf", "Ahmad", "Iwan",
        "Dadang", "Eko", "Joko", "Hadi", "Rizki", "Fajar", "Bayu", "Dimas", "Arif", "Andi",
        "Cecep", "Nana", "Ade", "Wawan", "Rafi", "Fathan", "Alif", "Raka", "Bima", "Ilham",
    ]
    static let lastNames = [
        "", "", "", "Saputra", "Hidayat", "Rahman", "Kurniawan", "Setiawan", "Nurhayati",
        "Suryani", "Permana", "Gunawan", "Wijaya", "Sulastri", "Maulana", "Ramdani", "Hasanah",
        "Pratama", "Lestari", "Susanti", "Firmansyah", "Sopandi", "Rohimah", "Supriatna",
    ]
    static let nicknames = ["Ani", "Eneng", "Ujang", "Otong", "Iis", "Acep", "Ima", "Dede"]

    /// Lower-case ASCII with `-` between words, for file names.
    static func slug(_ text: String) -> String {
        var out = ""
        var dash = false
        for ch in text.lowercased() {
            if ch.isASCII && (ch.isLetter || ch.isNumber) {
                if dash && !out.isEmpty { out.append("-") }
                out.append(ch)
                dash = false
            } else {
                dash = true
            }
        }
        return out
    }
}
