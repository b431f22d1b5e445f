import ArgumentParser
import ChatCore
import ChatServer
import Foundation

/// `rabbitchat user …`: accounts on the configured store, for the operator.
///
/// Changes take effect on running nodes at once: they read accounts from the same store on
/// every token check (nothing is cached).
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Create, list, disable and promote accounts (the first admin is made here).",
        subcommands: [Create.self, List.self, ResetPassword.self, Disable.self, GrantAdmin.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register an account.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var password: PasswordInput
        @Argument(help: "The account name.") var name: String
        @Flag(help: "Make it a server admin.") var admin = false

        func run() async throws {
            let (password, generated) = try password.read()
            let account = try await store.withStore { store in
                try await UserAdministration(accounts: store).create(name: name, password: password, admin: admin)
            }
            print("created \(account.name)\(account.isAdmin ? " (admin)" : "")")
            if generated { print("password: \(password)") }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List every account: name, admin, disabled, created.")
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let accounts = try await store.withStore { try await UserAdministration(accounts: $0).list() }
            print(["name", "admin", "disabled", "created"].joined(separator: "\t"))
            for account in accounts {
                print(
                    [
                        account.name, account.isAdmin ? "yes" : "no", account.isDisabled ? "yes" : "no",
                        Timestamp.iso(account.createdAt),
                    ].joined(separator: "\t"))
            }
        }
    }

    struct ResetPassword: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reset-password", abstract: "Set a new password and sign the account out everywhere.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var password: PasswordInput
        @Argument(help: "The account name.") var name: String

        func run() async throws {
            let (password, generated) = try password.read()
            try await store.withStore {
                try await UserAdministration(accounts: $0).resetPassword(name: name, password: password)
            }
            print("password of \(name) reset; its tokens are revoked")
            if generated { print("password: \(password)") }
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Disable an account: it cannot log in and its tokens are refused at once, on every node.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The account name.") var name: String
        @Flag(help: "Enable it again instead (its old tokens stay revoked).") var enable = false

        func run() async throws {
            try await store.withStore { try await UserAdministration(accounts: $0).setDisabled(!enable, name: name) }
            print(enable ? "enabled \(name)" : "disabled \(name)")
        }
    }

    struct GrantAdmin: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "grant-admin", abstract: "Make an account a server admin (above every room role).")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The account name.") var name: String
        @Flag(help: "Take the admin flag away instead.") var revoke = false

        func run() async throws {
            try await store.withStore { try await UserAdministration(accounts: $0).setAdmin(!revoke, name: name) }
            print(revoke ? "\(name) is no longer an admin" : "\(name) is an admin")
        }
    }
}
