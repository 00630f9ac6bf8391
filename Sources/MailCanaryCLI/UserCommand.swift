import ArgumentParser
import Foundation
import MailCanaryConfig
import MailCanaryServer
import MailCanaryStorage

/// `mailcanary user add|list|remove`: the people who sign in to the dashboard. The first run
/// creates the first administrator: `mailcanary user add NAME --role admin` (the password from
/// --password-file or the first line of standard input; never an argument, never echoed).
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Add (or reset), list or remove dashboard users; passwords are stored as scrypt hashes.",
        discussion: """
        Roles: admin (may acknowledge, change status, add notes and resolve) and viewer (reads). \
        Adding an existing user sets a new password and role and ends their sessions. \
        A password has at least \(PasswordHasher.minimumLength) characters.
        """
    )

    enum Action: String, ExpressibleByArgument, CaseIterable {
        case add, list, remove
    }

    @Argument(help: "add, list or remove.")
    var action: Action

    @Argument(help: "The user's name (add, remove): letters, digits, '.', '_', '-' and '@'.")
    var name: String?

    @Option(help: "admin or viewer (add).")
    var role: String = "viewer"

    @Option(name: .customLong("password-file"), help: ArgumentHelp("Read the password from this file (else the first line of standard input).", valueName: "PATH"))
    var passwordFile: String?

    @Option(help: ArgumentHelp("The server's configuration (default ./mailcanary.yml, else the bundled sample).", valueName: "FILE"))
    var config: String?

    @Option(name: .customLong("data-dir"), help: ArgumentHelp("Folder of the SQLite store (default: the configuration's data_dir).", valueName: "DIR"))
    var dataDir: String?

    func validate() throws {
        if action != .list {
            guard let name, (1...64).contains(name.count),
                  name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-@".contains($0)) }) else {
                throw ValidationError("NAME: give 1 to 64 letters, digits, '.', '_', '-' or '@'")
            }
        }
        guard UserAccount.Role(rawValue: role) != nil else { throw ValidationError("--role '\(role)': give admin or viewer") }
    }

    func run() async throws {
        let (watch, _) = try ServeCommand.loadConfig(config)
        switch action {
        case .list:
            let users = try await StoreSession.run(watch, dataDir: dataDir) { try await $0.users() }
            for user in users { print("\(user.name)\t\(user.role.rawValue)") }
            if users.isEmpty { FileHandleOutput.standardError("no users yet: mailcanary user add NAME --role admin\n") }
        case .remove:
            let name = self.name ?? ""
            guard try await StoreSession.run(watch, dataDir: dataDir, { try await $0.deleteUser(name: name) }) else {
                throw UsageError("no user '\(name)'")
            }
            FileHandleOutput.standardError("user \(name) removed; their sessions ended\n")
        case .add:
            let password = try readPassword()
            if let problem = PasswordHasher.check(password) { throw UsageError("\(problem)") }
            let hash = try PasswordHasher.hash(password)
            let user = UserAccount(name: name ?? "", passwordHash: hash, role: UserAccount.Role(rawValue: role) ?? .viewer,
                                   createdMs: Int64(Date().timeIntervalSince1970 * 1_000))
            try await StoreSession.run(watch, dataDir: dataDir) { try await $0.saveUser(user) }
            FileHandleOutput.standardError("user \(user.name) (\(user.role.rawValue)) saved\n")
        }
    }

    func readPassword() throws -> String {
        if let passwordFile {
            guard let text = try? String(contentsOfFile: passwordFile, encoding: .utf8) else {
                throw UsageError("--password-file \(passwordFile): cannot read the file")
            }
            return String(text.split(separator: "\n", omittingEmptySubsequences: false).first ?? "")
        }
        guard let line = Swift.readLine(strippingNewline: true) else {
            throw UsageError("give the password on standard input (one line) or with --password-file")
        }
        return line
    }
}
