import Foundation
import PostgresNIO

/// What a store failure says in a log line or an error message.
///
/// postgres-nio hides everything behind a generic description (so that nothing leaks by accident),
/// and its debug description carries the query with its bound values (token and password hashes,
/// session ids). An administrator needs the middle: PostgreSQL's own message and SQLSTATE, or why
/// the connection failed, and never the query or its values.
public enum StoreErrorText {
    public static func describe(_ error: any Error) -> String {
        switch error {
        case let error as PSQLError: return describe(error)
        case let error as PostgresTransactionError:
            let cause = error.beginError ?? error.closureError ?? error.commitError
            var text = cause.map(describe) ?? "the transaction failed"
            if let rollback = error.rollbackError { text += "; rolling back failed too: \(describe(rollback))" }
            return text
        case let error as PostgresDecodingError:
            return "PostgreSQL: a stored value of column \(error.columnName) cannot be read as \(error.targetType) (\(error.code))"
        default:
            let text = "\(error)"
            // The pool's own error type lives in a module postgres-nio does not export: read its case.
            if String(describing: type(of: error)) == "ConnectionPoolError" {
                let reason = text.split(separator: ".").last.map { $0.trimmingCharacters(in: CharacterSet(charactersIn: ")")) } ?? text
                return reason == "connectionCreationCircuitBreakerTripped"
                    ? "PostgreSQL cannot be reached: every new connection failed for a while (the pool stopped trying for now)"
                    : "PostgreSQL connection pool: \(reason)"
            }
            return text
        }
    }

    static func describe(_ error: PSQLError) -> String {
        if let info = error.serverInfo {
            let severity = info[.severity] ?? "ERROR"
            var text = "PostgreSQL \(severity): \(info[.message] ?? "no message")"
            if let state = info[.sqlState] { text += " (SQLSTATE \(state))" }
            if let hint = info[.hint] { text += "; hint: \(hint)" }
            return text
        }
        var text = "PostgreSQL connection: \(error.code)"
        if let underlying = error.underlying { text += " (\(underlying))" }
        return text
    }
}
