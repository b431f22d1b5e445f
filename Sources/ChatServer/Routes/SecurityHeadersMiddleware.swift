import HTTPTypes
import Hummingbird

extension HTTPField.Name {
    static let referrerPolicy = Self("Referrer-Policy")!
    static let xFrameOptions = Self("X-Frame-Options")!
}

/// Adds the headers every response should carry: no MIME sniffing, no referrer leaks, no framing.
///
/// A response that states its own framing policy keeps it: one with `X-Frame-Options`, or with a
/// CSP `frame-ancestors` (SockJS's `iframe.html`, which the allowed origins may frame; browsers
/// ignore X-Frame-Options next to `frame-ancestors`, older ones would apply `DENY` and block
/// them). The web UI's pages say `frame-ancestors 'none'` and `DENY` themselves.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        var response = try await next(request, context)
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.referrerPolicy] = "no-referrer"
        let framingStated = response.headers[values: .contentSecurityPolicy].contains { $0.contains("frame-ancestors") }
        if response.headers[.xFrameOptions] == nil, !framingStated { response.headers[.xFrameOptions] = "DENY" }
        return response
    }
}
