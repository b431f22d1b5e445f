import ChatCore
import Hummingbird

/// The HTTP answer to a bot post the hub refused: the `send` refusal's code, with the status
/// that says what kind of refusal it is.
///
/// `400` for bad input (`invalid_room`, `invalid_field`, `empty_text`, `text_too_long`), `403`
/// for what the bot may not do (`forbidden` outside its scope, `banned`, `muted`, `not_member`),
/// `404 no_such_room`, `409 cid_conflict`, `503 unavailable` (retry with the same `cid`).
enum BotPostRefusal {
    static func apiError(_ error: ProtocolError) -> APIError {
        APIError(status(of: error.code), error.code.rawValue, error.message)
    }

    static func status(of code: ErrorCode) -> HTTPResponse.Status {
        switch code {
        case .invalidRoom, .invalidField, .emptyText, .textTooLong, .invalidName, .badJSON: .badRequest
        case .forbidden, .banned, .muted, .notMember, .notInvited, .blocked: .forbidden
        case .noSuchRoom, .noSuchMessage: .notFound
        case .cidConflict: .conflict
        case .rateLimited: .tooManyRequests
        case .unavailable: .serviceUnavailable
        default: .internalServerError
        }
    }
}
