extension ServerConfiguration {
    /// The configuration that flags, then environment variables, then a configuration file,
    /// then the defaults give.
    ///
    /// A flag beats its environment variable, which beats the file, which beats the default, so
    /// the same binary configures cleanly under systemd, containers and tests.
    ///
    /// - Parameters:
    ///   - flags: the values given on the command line, by flag name without dashes (a switch
    ///     that was given: `"true"`).
    ///   - environment: the process environment; only `RABBITCHAT_…` variables are read.
    ///   - file: the configuration file, if one was given (`--config`).
    /// - Throws: `ConfigurationError` naming the first flag or variable whose value is unusable.
    public static func resolve(
        flags: [String: String], environment: [String: String], file: ConfigurationFile? = nil
    ) throws(ConfigurationError) -> ServerConfiguration {
        var configuration = ServerConfiguration()
        for setting in ServerSetting.all {
            let given: (name: String, value: String)
            if let value = flags[setting.flag] {
                given = ("--\(setting.flag)", value)
            } else if let value = environment[setting.environment] {
                given = (setting.environment, value)
            } else if let file, let value = file.values[setting.flag] {
                given = ("\(file.path): \(setting.flag)", value)
            } else {
                continue
            }
            do {
                try setting.apply(given.value, &configuration)
            } catch {
                throw ConfigurationError(setting: given.name, problem: error.message)
            }
        }
        return configuration
    }
}
