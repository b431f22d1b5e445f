extension Duration {
    /// The duration in whole milliseconds, rounded toward zero: what the wire protocol and the
    /// millisecond clock readings of the `Hub` compare with.
    public var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000 + attoseconds / 1_000_000_000_000_000
    }

    /// The duration in seconds, for messages: `10`, or `2.5`, never `10.0`.
    public var secondsDescription: String {
        (Double(wholeMilliseconds) / 1_000).compactDescription
    }
}
