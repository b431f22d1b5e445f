import Testing

/// The stores the conformance suite runs against.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case memory
    case sqlite
    case postgres

    var testDescription: String { rawValue }

    /// The stores whose data outlives the store object (reopen tests).
    static let durable: [StoreKind] = [.sqlite, .postgres]
}


