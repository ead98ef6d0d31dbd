import PostgresNIO

/// An error as the server's logs may show it. PostgresNIO prints a generic text for `PSQLError` unless
/// asked (`String(reflecting:)`), and asked it prints PostgreSQL's detail too, which holds the row's
/// values: "Key (kind, value)=(cccd, 0790…) already exists", "Failing row contains (…, payload, …)", a
/// card number or a card's whole QR with the holder's name and address. What is logged is the code,
/// the SQLSTATE, the message and the constraint, table and column it names, and the statement's text
/// (its binds are already masked, and ravao puts no personal data in SQL text).
public enum LoggedError {
    public static func describe(_ error: any Error) -> String {
        switch error {
        case let error as PSQLError:
            var parts = ["code: \(error.code)"]
            if let info = error.serverInfo {
                let fields: [(String, PSQLError.ServerInfo.Field)] = [("sqlState", .sqlState), ("message", .message), ("constraint", .constraintName),
                                                                       ("table", .tableName), ("column", .columnName)]
                for (name, field) in fields { if let value = info[field] { parts.append("\(name): \(value)") } }
            }
            if let sql = error.query?.sql { parts.append("sql: \(sql.prefix(300))") }
            return "PSQLError(\(parts.joined(separator: ", ")))"
        case let error as PostgresTransactionError:
            let parts = [("begin", error.beginError), ("body", error.closureError), ("rollback", error.rollbackError), ("commit", error.commitError)]
                .compactMap { name, inner in inner.map { "\(name): \(describe($0))" } }
            return "PostgresTransactionError(\(parts.joined(separator: ", ")))"
        default:
            return String(reflecting: error)
        }
    }
}
