import PostgresKit
import PostgresNIO
import SQLKit

/// The binds and rows of `PostgresConnectionSQL.execute`: what PostgresKit does for SQLKit, for the
/// types ravao binds and reads, by PostgresNIO's own encoders and decoders. The same encodings and
/// decodings as PostgresKit's fast path (which also ends in `PostgresEncodable`/`PostgresDecodable`),
/// without its Codable detour per value. Anything else goes the PostgresKit way.
enum FastPostgres {
    /// `binds` as PostgresNIO binds; nil if one is of a type not handled here.
    static func bindings(_ binds: [any Encodable & Sendable]) -> PostgresBindings? {
        var bindings = PostgresBindings(capacity: binds.count)
        for bind in binds {
            switch bind {
            case let value as String: bindings.append(value)
            case let value as Int64: bindings.append(value)
            case let value as Int: bindings.append(value)
            case let value as [String]: bindings.append(value)
            case let value as [Int64]: bindings.append(value)
            case let value as String?:
                guard let value else { bindings.appendNull(); continue }
                bindings.append(value)
            case let value as Int64?:
                guard let value else { bindings.appendNull(); continue }
                bindings.append(value)
            case let value as Int?:
                guard let value else { bindings.appendNull(); continue }
                bindings.append(value)
            default: return nil
            }
        }
        return bindings
    }

    /// A result's column names, read once from its first row.
    final class Columns: Sendable {
        let names: [String]
        let positions: [String: Int]
        init(_ row: PostgresRow) {
            names = row.map(\.columnName)
            // Of two columns of one name the last wins, as in PostgresKit's rows (FastPostgresTests).
            positions = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { _, last in last })
        }
    }

    struct Row: SQLRow {
        let row: PostgresRow
        let columns: Columns
        /// The row's cells, read once: finding each by walking the row from its start was 2.4 % of the
        /// server's CPU under scans (the projector decodes every column of thousands of rows a pass).
        let cells: [PostgresCell]

        init(row: PostgresRow, columns: Columns) {
            self.row = row
            self.columns = columns
            cells = Array(row)
        }

        var allColumns: [String] { columns.names }
        func contains(column: String) -> Bool { columns.positions[column] != nil }

        func decodeNil(column: String) throws -> Bool {
            guard let cell = cell(column) else { return true }
            return cell.bytes == nil
        }

        func decode<D: Decodable>(column: String, as type: D.Type) throws -> D {
            guard let cell = cell(column), !cell.dataType.isUserDefined else {
                // A missing column's error, and PostgreSQL enums, as PostgresKit gives them.
                return try row.sql().decode(column: column, as: D.self)
            }
            if D.self == String.self { return try cell.decode(String.self) as! D }
            if D.self == Int64.self { return try cell.decode(Int64.self) as! D }
            if D.self == Int.self { return try cell.decode(Int.self) as! D }
            if D.self == String?.self { return try cell.decode(String?.self) as! D }
            if D.self == Int64?.self { return try cell.decode(Int64?.self) as! D }
            if D.self == Int?.self { return try cell.decode(Int?.self) as! D }
            return try row.sql().decode(column: column, as: D.self)
        }

        private func cell(_ column: String) -> PostgresCell? {
            guard let position = columns.positions[column], position < cells.count else { return nil }
            return cells[position]
        }
    }
}
