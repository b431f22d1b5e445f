import Foundation
import Testing

/// Account operations over the real HTTP API, for tests.
enum AccountTestClient {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Registers `name` and returns its token.
    static func register(port: Int, _ name: String, password: String = "correct horse") async throws -> String {
        let response = try await HTTP.request(
            "POST", port: port, path: "/api/register", json: ["name": name, "password": password])
        guard response.status == 201, let token = response["token"] as? String else {
            throw Failure(description: "register \(name): \(response.status) \(response.body)")
        }
        return token
    }

    /// Logs `name` in and returns a new token.
    static func login(port: Int, _ name: String, password: String = "correct horse") async throws -> String {
        let response = try await HTTP.request(
            "POST", port: port, path: "/api/login", json: ["name": name, "password": password])
        guard response.status == 200, let token = response["token"] as? String else {
            throw Failure(description: "login \(name): \(response.status) \(response.body)")
        }
        return token
    }
}

extension TestChatClient {
    /// Says hello with an account token and returns the `welcome`.
    @discardableResult
    func hello(token: String) async throws -> Frame {
        try await send(["type": "hello", "token": token])
        return try await expect("welcome")
    }
}
