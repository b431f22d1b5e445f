import Foundation
import HTTPTypes
import Hummingbird

extension HTTPField.Name {
    static let sockJSFrameOptions = Self("X-Frame-Options")!
}

/// The headers the SockJS spec asks of each kind of response.
enum SockJSHeaders {
    static let noCache = "no-store, no-cache, no-transform, must-revalidate, max-age=0"
    static let oneYear = 31_536_000

    /// CORS for XHR transports: echo the `Origin` with credentials (so `JSESSIONID` flies), or `*`
    /// without credentials when there is none.
    static func cors(for request: Request, into headers: inout HTTPFields) {
        if let origin = request.headers[.origin], !origin.isEmpty {
            headers[.accessControlAllowOrigin] = origin
            headers[.accessControlAllowCredentials] = "true"
        } else {
            headers[.accessControlAllowOrigin] = "*"
        }
    }

    /// Responses to GET-style transports must never be cached (iOS 6 even caches POSTs).
    static func noCache(into headers: inout HTTPFields) {
        headers[.cacheControl] = noCache
    }

    /// Strongly cacheable responses (iframe page, preflights): one year, `Expires` included.
    static func cacheForever(into headers: inout HTTPFields) {
        headers[.cacheControl] = "public, max-age=\(oneYear)"
        headers[.expires] = httpDate(Date().addingTimeInterval(TimeInterval(oneYear)))
    }

    /// `JSESSIONID=<the client's or dummy>; path=/` when the service needs cookies.
    static func cookie(for request: Request, needed: Bool, into headers: inout HTTPFields) {
        guard needed else { return }
        let value = request.cookies["JSESSIONID"]?.value ?? "dummy"
        headers[.setCookie] = "JSESSIONID=\(value); path=/"
    }

    /// An RFC 9110 IMF-fixdate.
    static func httpDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }
}
