/// z-scores as people read them: 2 decimals (§A4's follow-up list).
public enum ZScoreText {
    /// `z` with 2 decimals, `.` as the mark, `-` for negatives: `-2.35`, `0.00`, `3.10`.
    /// Rounded half away from zero on the binary value of z·100 (so a z that prints as −2.005
    /// with more digits may be −2.00 or −2.01); flags and thresholds use the unrounded z, never
    /// this text. Not-finite values give an empty string.
    public static func twoDecimals(_ z: Double) -> String {
        guard z.isFinite else { return "" }
        let hundredths = (z * 100).rounded(.toNearestOrAwayFromZero)
        guard abs(hundredths) < 1e15 else { return "" }
        let n = Int(hundredths)
        let magnitude = n.magnitude
        let fraction = magnitude % 100
        return (n < 0 ? "-" : "") + "\(magnitude / 100)." + (fraction < 10 ? "0" : "") + "\(fraction)"
    }
}
