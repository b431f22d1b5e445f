import Foundation
import Hummingbird
import NIOCore

/// Turns every HTTP error into a JSON body with a stable code, so API clients never have to parse
/// an empty 404 or an HTML page: `{"error": {"code": "not_found", "message": "…"}}`.
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    struct Body: Encodable {
        struct Detail: Encodable {
            var code: String
            var message: String
        }
        var error: Detail
    }

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as HTTPError {
            let code = error.status.reasonPhrase.lowercased().replacingOccurrences(of: " ", with: "_")
            let message = error.body ?? error.status.reasonPhrase
            let data = (try? JSONEncoder().encode(Body(error: .init(code: code, message: message)))) ?? Data()
            var headers = error.headers
            headers[.contentType] = "application/json; charset=utf-8"
            return Response(status: error.status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
    }
}
