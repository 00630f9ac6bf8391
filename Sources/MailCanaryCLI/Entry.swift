import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif

/// Parses the command line and maps every ending to MailCanary's exit statuses:
/// 0 ok, 1 the target failed, 2 a usage or configuration error (message on stderr).
@main
enum Entry {
    static func main() async {
        do {
            var command = try MailCanaryCommand.parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            exit(0)
        } catch let code as ExitCode {
            exit(code.rawValue)
        } catch let usage as UsageError {
            FileHandleOutput.standardError("mailcanary: error: \(usage.message)\n")
            exit(2)
        } catch {
            let code = MailCanaryCommand.exitCode(for: error)
            let message = MailCanaryCommand.fullMessage(for: error)
            if code == .success {
                print(message)
                exit(0)
            }
            FileHandleOutput.standardError(message + "\n")
            exit(2)
        }
    }
}

/// A usage or configuration error found after parsing; the message names the argument and the fix.
struct UsageError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}
