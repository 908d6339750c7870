/// The tool version written into every manifest and printed by `pws --version`.
public enum PWSVersion {
    public static let current = "0.1.0"
}
