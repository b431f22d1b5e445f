public import NIOCore

/// An AMQP field table: ordered, string-keyed values (headers, arguments, capabilities).
///
/// Order is kept (an array of pairs rather than a dictionary) so a decoded table re-encodes to
/// the same bytes; lookups are linear, which is fine for the handful of entries tables hold.
public struct AMQPTable: Sendable, Hashable, ExpressibleByDictionaryLiteral, Sequence {
    /// The entries in wire order.
    public private(set) var entries: [(key: String, value: AMQPFieldValue)]

    /// An empty table.
    public init() {
        self.entries = []
    }

    /// A table from ordered entries.
    public init(_ entries: [(key: String, value: AMQPFieldValue)]) {
        self.entries = entries
    }

    /// A table from a literal, keeping the literal's order.
    public init(dictionaryLiteral elements: (String, AMQPFieldValue)...) {
        self.entries = elements.map { (key: $0.0, value: $0.1) }
    }

    /// The value for `key`; setting replaces the first entry with that key or appends.
    public subscript(key: String) -> AMQPFieldValue? {
        get { self.entries.first(where: { $0.key == key })?.value }
        set {
            let index = self.entries.firstIndex(where: { $0.key == key })
            switch (index, newValue) {
            case (let index?, let value?): self.entries[index].value = value
            case (let index?, nil): self.entries.remove(at: index)
            case (nil, let value?): self.entries.append((key: key, value: value))
            case (nil, nil): break
            }
        }
    }

    /// The number of entries.
    public var count: Int { self.entries.count }

    /// Whether the table has no entries.
    public var isEmpty: Bool { self.entries.isEmpty }

    /// Iterates the entries in wire order.
    public func makeIterator() -> IndexingIterator<[(key: String, value: AMQPFieldValue)]> {
        self.entries.makeIterator()
    }

    /// Tables are equal when they hold the same entries in the same order.
    public static func == (lhs: AMQPTable, rhs: AMQPTable) -> Bool {
        lhs.entries.count == rhs.entries.count
            && zip(lhs.entries, rhs.entries).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }

    /// Hashes the entries in order.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(self.entries.count)
        for entry in self.entries {
            hasher.combine(entry.key)
            hasher.combine(entry.value)
        }
    }

    /// Decodes a table (4-byte length, then short-string keys with tagged values).
    ///
    /// Throws `.syntaxError` when the table is truncated or holds an unknown value tag.
    public static func decode(from buffer: inout ByteBuffer) throws(AMQPError) -> AMQPTable {
        let length = try buffer.readAMQPLong()
        guard var slice = buffer.readSlice(length: Int(length)) else { throw .truncated("table") }
        var table = AMQPTable()
        while slice.readableBytes > 0 {
            let key = try slice.readAMQPShortString()
            let value = try AMQPFieldValue.decode(from: &slice)
            table.entries.append((key: key, value: value))
        }
        return table
    }

    /// Encodes the table with its 4-byte length prefix.
    public func encode(into buffer: inout ByteBuffer) throws(AMQPError) {
        let lengthIndex = buffer.writerIndex
        buffer.writeInteger(UInt32(0))
        for entry in self.entries {
            try buffer.writeAMQPShortString(entry.key)
            try entry.value.encode(into: &buffer)
        }
        buffer.setInteger(UInt32(buffer.writerIndex - lengthIndex - 4), at: lengthIndex)
    }
}

extension AMQPTable: CustomStringConvertible {
    /// `[key: value, …]` in wire order.
    public var description: String {
        "[" + self.entries.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "]"
    }
}
