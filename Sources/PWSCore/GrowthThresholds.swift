/// The z-score limits below which a child is on the follow-up list (`tindak-lanjut.csv`, §A4)
/// for BGM (weight-for-age, −3), STUNTING (length/height-for-age, −2) and WASTING
/// (weight-for-length/height, −2). A run takes them from its catalogue's indicators of those ids
/// (`Aggregator.followUpThresholds`), so the list and the indicators agree when a district
/// edits a `below:`.
public struct FollowUpThresholds: Sendable, Hashable {
    public var bgm = -3
    public var stunting = -2
    public var wasting = -2

    public init() {}
}
