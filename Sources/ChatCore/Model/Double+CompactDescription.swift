extension Double {
    /// The number for people to read: `20`, not `20.0`; `2.5` stays. Rates and limits in error
    /// messages, `--help` and close reasons all print this way.
    public var compactDescription: String {
        self == rounded() && abs(self) < 1e15 ? String(Int64(self)) : String(self)
    }
}
