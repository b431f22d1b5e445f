import ChatCore
import Foundation
import Hummingbird
import NIOCore

/// The account API: `POST /api/register`, `POST /api/login`, `POST /api/logout`, `GET /api/me`.
///
/// Bodies are JSON (`{"name": "…", "password": "…"}`, at most 16 KiB); answers are JSON, errors
/// `{"error": {"code", "message"}}` with a code per reason (`invalid_credentials`,
/// `token_expired`, `rate_limited`, …). Tokens travel as `Authorization: Bearer <token>`.
struct AccountController: Sendable {
    let accounts: AccountService

    struct Credentials: Decodable {
        var name: String?
        var password: String?
    }

    struct TokenResponse: ResponseEncodable {
        var user: String
        var token: String
        var expiresAt: Int64
    }

    struct MeResponse: ResponseEncodable {
        var user: String
        var createdAt: Int64
    }

    func register<Context: RequestContext>(on router: Router<Context>) {
        router.post("/api/register") { request, context -> EditedResponse<TokenResponse> in
            let (name, password) = try await Self.credentials(request, context: context)
            let issued = try await accounts.register(name: name, password: password, address: Self.address(context))
            return EditedResponse(
                status: .created,
                response: TokenResponse(user: issued.user, token: issued.token, expiresAt: issued.expiresAt))
        }
        router.post("/api/login") { request, context -> TokenResponse in
            let (name, password) = try await Self.credentials(request, context: context)
            let issued = try await accounts.login(name: name, password: password, address: Self.address(context))
            return TokenResponse(user: issued.user, token: issued.token, expiresAt: issued.expiresAt)
        }
        router.post("/api/logout") { request, _ -> Response in
            try await accounts.logout(token: Self.bearerToken(request))
            return Response(status: .noContent)
        }
        router.get("/api/me") { request, _ -> MeResponse in
            let account = try await accounts.authenticate(Self.bearerToken(request))
            return MeResponse(user: account.name, createdAt: account.createdAt)
        }
    }

    /// The client's IP address (no port), the key of the per-address rate limit: behind a
    /// trusted proxy, the address from `X-Forwarded-For` (`ClientAddressMiddleware`).
    static func address(_ context: some RequestContext) -> String? {
        if let context = context as? any ClientAddressRequestContext { return context.clientAddress }
        guard let address = (context as? any RemoteAddressRequestContext)?.remoteAddress else { return nil }
        return address.ipAddress ?? address.description
    }

    static func credentials(_ request: Request, context: some RequestContext) async throws -> (String, String) {
        var request = request
        let body = try await request.collectBody(upTo: 16 * 1024)
        let credentials: Credentials
        do {
            credentials = try JSONDecoder().decode(Credentials.self, from: Data(body.readableBytesView))
        } catch {
            throw APIError(.badRequest, "bad_json", "the body must be a JSON object {\"name\": …, \"password\": …}")
        }
        guard let name = credentials.name else { throw APIError(.badRequest, "invalid_field", "missing field `name`") }
        guard let password = credentials.password else {
            throw APIError(.badRequest, "invalid_field", "missing field `password`")
        }
        return (name, password)
    }

    static func bearerToken(_ request: Request) throws -> String {
        guard let header = request.headers[.authorization] else {
            throw APIError(.unauthorized, "missing_token", "send `Authorization: Bearer <token>` (from /api/login)")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw APIError(.unauthorized, "invalid_token", "the Authorization header must be `Bearer <token>`")
        }
        return String(parts[1]).trimmingCharacters(in: .whitespaces)
    }
}
