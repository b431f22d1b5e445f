import ArgumentParser
import ChatServer

/// Where a command takes a password from: the first line of standard input with
/// `--password-stdin` (never the command line, which `ps` shows to every user), else a random
/// one printed once.
struct PasswordInput: ParsableArguments {
    @Flag(help: "Read the password from the first line of standard input (else a random one is printed).")
    var passwordStdin = false

    /// The password, and whether it was generated (and so must be shown).
    func read() throws -> (password: String, generated: Bool) {
        guard passwordStdin else { return (UserAdministration.generatedPassword(), true) }
        guard let line = readLine(strippingNewline: true), !line.isEmpty else {
            throw ValidationError("--password-stdin: standard input held no password")
        }
        return (line, false)
    }
}
