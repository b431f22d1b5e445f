import ChatServer

/// Test configurations: loopback, port 0, quiet logs.
enum ServerConfigurationFactory {
    static func make() -> ServerConfiguration {
        var configuration = ServerConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        return configuration
    }
}
