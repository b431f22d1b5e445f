import ChatCore
import Foundation
import Hummingbird

/// `GET /api/search?q=…&room=…&before=…&limit=…`: full-text search over the conversations the
/// caller may read, newest first, paged.
///
/// A token is optional, like room history: without one (a guest) only public rooms are
/// searched, and under `--require-auth` it is required (`401`). What a caller may read is decided
/// by the store inside the search (`MessageSearch`), so a private room's messages never reach a
/// non-member, not even as a count or a next page. A `room` the caller may not read is refused
/// like its history is (`401 missing_token`, `403 forbidden`/`banned`).
struct SearchController: Sendable {
    let search: any MessageSearch
    /// The history routes' room check, shared so `room=` is refused exactly as history is.
    let history: MessagesController
    let accounts: AccountService
    let limits: ChatLimits

    /// The longest `q`, in characters.
    static let maxQueryLength = 200
    /// The most terms a query may have: each is one more index lookup.
    static let maxTerms = 16
    /// Results per page unless `limit` says otherwise, and the most it may say.
    static let defaultLimit = 20
    static let maxLimit = 100

    struct Segment: Encodable {
        var text: String
        /// Present (true) on the matched words only.
        var match: Bool?
    }

    struct Result: Encodable {
        var id: String
        var seq: Int64
        var from: String
        var text: String
        var ts: Int64
        /// The room, as stored; absent for a direct message.
        var room: String?
        /// For a direct message, the other party; absent for a room.
        var peer: String?
        var snippet: [Segment]
    }

    struct Page: ResponseEncodable {
        var results: [Result]
        /// Pass it back as `before` for the next (older) page; absent on the last page.
        var next: String?
    }

    func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("/api/search") { request, _ -> Page in
            let parameters = request.uri.queryParameters
            var reader: Account?
            if !accounts.allowsGuests || request.headers[.authorization] != nil {
                reader = try await accounts.authenticate(AccountController.bearerToken(request))
            }
            // `+` is a space, as browsers encode forms and `URLSearchParams` (it separates words
            // either way: it is not a letter or a digit).
            let text =
                parameters["q"].map { String($0).replacingOccurrences(of: "+", with: " ") }?.trimmingWhitespace() ?? ""
            guard !text.isEmpty else {
                throw APIError(.badRequest, "invalid_query", "`q` is required: the words to search for")
            }
            guard text.count <= Self.maxQueryLength else {
                throw APIError(.badRequest, "invalid_query", "`q` must be at most \(Self.maxQueryLength) characters")
            }
            let terms = SearchTerms(parsing: text)
            guard terms.isSearchable else {
                throw APIError(
                    .badRequest, "invalid_query",
                    "`q` has no word to search for: letters, digits and emoji are searched, punctuation is not")
            }
            guard terms.terms.count <= Self.maxTerms else {
                throw APIError(.badRequest, "invalid_query", "`q` may have at most \(Self.maxTerms) terms")
            }
            var room: String?
            if let name = parameters["room"].map(String.init) {
                guard ChatName.isValid(name, limits: limits) else {
                    throw APIError(
                        .badRequest, "invalid_room",
                        "room must be 1 to \(limits.maxNameLength) characters of A-Z, a-z, 0-9, _ and -")
                }
                room = try await history.authorizeRead(name, reader: reader)?.name ?? name
            }
            var before: SearchCursor?
            if let cursor = parameters["before"] {
                guard let parsed = SearchCursor(text: String(cursor)) else {
                    throw APIError(.badRequest, "invalid_field", "`before` must be the `next` of a previous page")
                }
                before = parsed
            }
            var limit = Self.defaultLimit
            if let value = parameters["limit"] {
                guard let parsed = Int(String(value)), (1...Self.maxLimit).contains(parsed) else {
                    throw APIError(
                        .badRequest, "invalid_field", "`limit` must be an integer from 1 to \(Self.maxLimit)")
                }
                limit = parsed
            }
            let page: SearchPage
            do {
                page = try await search.search(
                    SearchQuery(terms: terms, reader: reader?.name, room: room, before: before, limit: limit))
            } catch {
                throw APIError(.serviceUnavailable, "unavailable", "the message store is unavailable; try again")
            }
            return Page(
                results: page.hits.map { hit in
                    var room: String?
                    var peer: String?
                    switch hit.conversation {
                    case .room(let name): room = name
                    case .direct: peer = reader.flatMap { hit.conversation.peer(of: $0.name) }
                    }
                    return Result(
                        id: hit.message.id, seq: hit.message.seq, from: hit.message.from, text: hit.message.text,
                        ts: hit.message.timestamp, room: room, peer: peer,
                        snippet: hit.snippet.segments.map { Segment(text: $0.text, match: $0.isMatch ? true : nil) })
                },
                next: page.next?.description)
        }
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
