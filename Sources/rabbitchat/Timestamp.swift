import Foundation

/// Milliseconds since 1970 as the operator reads them.
enum Timestamp {
    /// ISO 8601 in UTC, to the second.
    static func iso(_ millis: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date(timeIntervalSince1970: Double(millis) / 1000))
    }
}
