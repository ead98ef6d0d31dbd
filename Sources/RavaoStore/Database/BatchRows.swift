import SQLKit

/// The rows of a multi-row statement (a batch's check-ins, its day counters, a projector pass's keys),
/// written the way each engine takes them best:
/// - SQLite: `VALUES (?, ?), (?, ?), …`, a bind per cell, in chunks under its bind limit.
/// - PostgreSQL: `SELECT … FROM unnest($1::text[], $2::bigint[], …) AS t(…)`, one array bind per
///   column whatever the number of rows. The server parses and plans one short statement instead of a
///   VALUES list of thousands of parameters (which it re-plans for every batch size it meets), and the
///   client serialises a few arrays instead of a placeholder per cell. `Benchmarks/RESULTS.md` has the
///   figures (issue 16).
///
/// Used as `INSERT INTO t (a, b) ` + rows, or as a `WITH k(a, b) AS (` rows `)` source.
package struct BatchRows: Sendable {
    package enum Values: Sendable {
        case text([String])
        /// NULL where nil. PostgreSQL gets '' for nil and `NULLIF`: its driver has no arrays of optionals.
        /// An empty string is therefore not a value these columns can hold.
        case optionalText([String?])
        case bigint([Int64])
    }
    package struct Column: Sendable {
        let name: String
        let values: Values
        package static func text(_ name: String, _ values: [String]) -> Column { Column(name: name, values: .text(values)) }
        package static func optionalText(_ name: String, _ values: [String?]) -> Column { Column(name: name, values: .optionalText(values)) }
        package static func bigint(_ name: String, _ values: [Int64]) -> Column { Column(name: name, values: .bigint(values)) }

        var count: Int {
            switch values {
            case .text(let v): v.count
            case .optionalText(let v): v.count
            case .bigint(let v): v.count
            }
        }
    }

    let columns: [Column]
    package var count: Int { columns.first?.count ?? 0 }

    package init(_ columns: [Column]) {
        precondition(Set(columns.map(\.count)).count <= 1, "every column needs a value per row")
        self.columns = columns
    }


    /// The statements `prefix` + rows + `suffix`: one on PostgreSQL, one per `chunk` rows on SQLite.
    /// Nothing when there are no rows.
    package func statements(_ db: any SQLDatabase, _ prefix: String, suffix: String = "", chunk: Int = CheckInWriter.rowsPerStatement) -> [SQLQueryString] {
        guard count > 0 else { return [] }
        if db.dialect.name == "sqlite" {
            return stride(from: 0, to: count, by: chunk).map { start in
                var query = SQLQueryString(prefix + "VALUES ")
                for row in start..<Swift.min(start + chunk, count) {
                    query.appendLiteral(row == start ? "(" : ", (")
                    for (i, column) in columns.enumerated() {
                        if i > 0 { query.appendLiteral(", ") }
                        switch column.values {
                        case .text(let v): query.appendInterpolation(bind: v[row])
                        case .optionalText(let v): query.appendInterpolation(bind: v[row])
                        case .bigint(let v): query.appendInterpolation(bind: v[row])
                        }
                    }
                    query.appendLiteral(")")
                }
                query.appendLiteral(suffix)
                return query
            }
        }
        var query = SQLQueryString(prefix + "SELECT ")
        query.appendLiteral(columns.map { column in
            if case .optionalText = column.values { return "NULLIF(\(column.name), '') AS \(column.name)" }
            return column.name
        }.joined(separator: ", "))
        query.appendLiteral(" FROM unnest(")
        for (i, column) in columns.enumerated() {
            if i > 0 { query.appendLiteral(", ") }
            switch column.values {
            case .text(let v): query.appendInterpolation(bind: v); query.appendLiteral("::text[]")
            case .optionalText(let v): query.appendInterpolation(bind: v.map { $0 ?? "" }); query.appendLiteral("::text[]")
            case .bigint(let v): query.appendInterpolation(bind: v); query.appendLiteral("::bigint[]")
            }
        }
        query.appendLiteral(") AS t(\(columns.map(\.name).joined(separator: ", ")))")
        query.appendLiteral(suffix)
        return [query]
    }

    /// `prefix IN (?, ?, …)` on SQLite (in chunks), `prefix = ANY($1::text[])` on PostgreSQL: `prefix`
    /// ends with the column, e.g. `SELECT … WHERE client_id`.
    package static func matching(_ db: any SQLDatabase, _ prefix: String, _ values: [String], suffix: String = "",
                                 chunk: Int = CheckInWriter.rowsPerStatement) -> [SQLQueryString] {
        matching(db, SQLQueryString(prefix), values, suffix: suffix, chunk: chunk)
    }

    package static func matching(_ db: any SQLDatabase, _ prefix: SQLQueryString, _ values: [String], suffix: String = "",
                                 chunk: Int = CheckInWriter.rowsPerStatement) -> [SQLQueryString] {
        guard !values.isEmpty else { return [] }
        if db.dialect.name == "sqlite" {
            return values.chunks(of: chunk).map { part in
                var query = prefix
                query.appendLiteral(" IN (")
                for (i, value) in part.enumerated() {
                    if i > 0 { query.appendLiteral(", ") }
                    query.appendInterpolation(bind: value)
                }
                query.appendLiteral(")" + suffix)
                return query
            }
        }
        var query = prefix
        query.appendLiteral(" = ANY(")
        query.appendInterpolation(bind: values)
        query.appendLiteral("::text[])" + suffix)
        return [query]
    }
}
