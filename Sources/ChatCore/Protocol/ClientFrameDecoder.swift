import Foundation

/// Turns one inbound text frame into a `ClientFrame`, or a `ProtocolError` that names exactly
/// what is wrong (which field is missing or mistyped, which type is unknown).
///
/// Decoding happens in two steps: a lenient envelope read (`type`, `cid`) so even a broken
/// frame's refusal can carry the `cid` and `type` the client needs to match it, then the strict
/// decode of the frame's own fields.
public struct ClientFrameDecoder: Sendable {
    public init() {}

    private struct Envelope: Decodable {
        var type: String?
        var typeIsString: Bool
        var cid: String?

        enum CodingKeys: String, CodingKey { case type, cid }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.type = try? container.decodeIfPresent(String.self, forKey: .type)
            self.typeIsString = self.type != nil || !container.contains(.type)
            self.cid = try? container.decodeIfPresent(String.self, forKey: .cid)
        }
    }

    /// Decodes a frame from its UTF-8 bytes: the hot frames without Foundation when they are
    /// well formed (`ClientFrameFastPath`), everything else through `Codable`.
    public func decode(_ bytes: some Collection<UInt8>) throws(ProtocolError) -> ClientFrame {
        let fast = bytes.withContiguousStorageIfAvailable { ClientFrameFastPath.decode(UnsafeRawBufferPointer($0)) }
        if let fast = fast ?? Array(bytes).withUnsafeBytes({ ClientFrameFastPath.decode($0) }) { return fast }
        return try decodeWithCodable(bytes)
    }

    /// The `Codable` path alone: every frame, with a precise error for a malformed one. `decode`
    /// must always agree with it; the fuzz target checks that on every input.
    public func decodeWithCodable(_ bytes: some Collection<UInt8>) throws(ProtocolError) -> ClientFrame {
        let data = Data(bytes)
        let decoder = JSONDecoder()
        let envelope: Envelope
        do {
            envelope = try decoder.decode(Envelope.self, from: data)
        } catch let error as DecodingError {
            if case .typeMismatch = error {
                throw ProtocolError(.badJSON, "a frame must be a JSON object")
            }
            throw ProtocolError(.badJSON, "the frame is not valid JSON")
        } catch {
            throw ProtocolError(.badJSON, "the frame is not valid JSON")
        }
        guard envelope.typeIsString else {
            throw ProtocolError(.invalidField, "field `type` must be a string", cid: envelope.cid)
        }
        guard let type = envelope.type else {
            throw ProtocolError(.invalidField, "missing field `type`", cid: envelope.cid)
        }
        do {
            switch type {
            case "hello": return .hello(try decoder.decode(HelloFrame.self, from: data))
            case "join": return .join(try decoder.decode(JoinFrame.self, from: data))
            case "leave": return .leave(try decoder.decode(LeaveFrame.self, from: data))
            case "send": return .send(try decoder.decode(SendFrame.self, from: data))
            case "typing": return .typing(try decoder.decode(TypingFrame.self, from: data))
            case "read": return .read(try decoder.decode(ReadFrame.self, from: data))
            case "history": return .history(try decoder.decode(HistoryRequestFrame.self, from: data))
            case "ping": return .ping(try decoder.decode(PingFrame.self, from: data))
            case "room_create": return .roomCreate(try decoder.decode(RoomSettingsFrame.self, from: data))
            case "room_update": return .roomUpdate(try decoder.decode(RoomSettingsFrame.self, from: data))
            case "room_info": return .roomInfo(try decoder.decode(RoomInfoFrame.self, from: data))
            case "edit", "delete", "react":
                let fields = try decoder.decode(MessageChangeFrame.Fields.self, from: data)
                return .change(MessageChangeFrame(MessageUpdate.Action(rawValue: type)!, fields))
            case "watch": return .watch(try decoder.decode(WatchFrame.self, from: data))
            case "block": return .block(try decoder.decode(BlockFrame.self, from: data))
            case "unblock": return .unblock(try decoder.decode(BlockFrame.self, from: data))
            case "bye": return .bye
            case let type where ModerationFrame.Action(rawValue: type) != nil:
                let fields = try decoder.decode(ModerationFrame.Fields.self, from: data)
                return .moderate(ModerationFrame(ModerationFrame.Action(rawValue: type)!, fields))
            default:
                throw ProtocolError(
                    .unknownType, "unknown frame type `\(type.prefix(64))`", cid: envelope.cid, ref: nil
                )
            }
        } catch let error as ProtocolError {
            throw error
        } catch let error as DecodingError {
            throw ProtocolError(.invalidField, Self.describe(error), cid: envelope.cid, ref: type)
        } catch {
            throw ProtocolError(.invalidField, "the `\(type)` frame is malformed", cid: envelope.cid, ref: type)
        }
    }

    /// A one-line explanation of a decoding failure that names the field.
    static func describe(_ error: DecodingError) -> String {
        func path(_ codingPath: [any CodingKey], _ last: (any CodingKey)? = nil) -> String {
            let keys = codingPath + (last.map { [$0] } ?? [])
            return keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "missing field `\(path(context.codingPath, key))`"
        case .typeMismatch(let type, let context):
            return "field `\(path(context.codingPath))` must be \(Self.jsonTypeName(type))"
        case .valueNotFound(let type, let context):
            return "field `\(path(context.codingPath))` must be \(Self.jsonTypeName(type)), not null"
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                return context.debugDescription
            }
            return "field `\(path(context.codingPath))` has an invalid value"
        @unknown default:
            return "the frame is malformed"
        }
    }

    private static func jsonTypeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type: "an integer"
        case is Bool.Type: "a boolean"
        case is [String: Int64].Type, is [String: Any].Type: "an object"
        default: "of a different type"
        }
    }
}
