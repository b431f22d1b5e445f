import Foundation

extension HTTP {
    /// Sends one request with an optional JSON body over a real socket and parses the answer.
    static func request(
        _ method: String, port: Int, path: String, json: [String: Any]? = nil, rawBody: String? = nil,
        headers: [String: String] = [:]
    ) async throws -> Response {
        var body = rawBody ?? ""
        if let json {
            body = String(decoding: try JSONSerialization.data(withJSONObject: json), as: UTF8.self)
        }
        var request = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        if json != nil || rawBody != nil {
            request += "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n"
        }
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        request += "\r\n" + body
        return try Response(parsing: try await exchange(port: port, request: request))
    }
}

extension HTTP.Response {
    /// Parses a whole raw HTTP/1.1 answer: status line, headers (names lowercased), body.
    init(parsing raw: String) throws {
        guard let split = raw.range(of: "\r\n\r\n") else { throw URLError(.badServerResponse) }
        let head = raw[..<split.lowerBound].components(separatedBy: "\r\n")
        let statusLine = head[0].split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw URLError(.badServerResponse) }
        var fields: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        self.init(status: status, headers: fields, body: String(raw[split.upperBound...]))
    }

    /// The `error.code` of a JSON error body.
    var errorCode: String? { ((json as? [String: Any])?["error"] as? [String: Any])?["code"] as? String }
    /// A field of a JSON object body.
    subscript(field: String) -> Any? { (json as? [String: Any])?[field] }
}
