import Foundation
import Logging
import RavaoCore
import SQLKit

/// The official administrative units (P5), loaded from the files shipped in the binary.
public struct UnitStore: Sendable {
    let engine: any DatabaseEngine
    let settings: SettingsStore
    private let cache = UnitCache()
    public init(engine: any DatabaseEngine) {
        self.engine = engine
        self.settings = SettingsStore(engine: engine)
    }

    /// The list the deployment runs on; 2025 unless `ravao import-units 2021` switched it.
    public func activeScheme() async throws -> UnitScheme {
        try await settings.value("units_scheme").flatMap(UnitScheme.init(rawValue:)) ?? .y2025
    }

    /// Loads the scheme's list if it is not in the database yet; returns how many units were added.
    @discardableResult
    public func ensureLoaded(_ scheme: UnitScheme) async throws -> Int {
        let present = try await engine.read { db in
            try await db.raw("SELECT COUNT(*) AS n FROM admin_units WHERE scheme = \(bind: scheme.rawValue)").first()!.decode(column: "n", as: Int.self)
        }
        if present > 0 { return 0 }
        let units = try Self.bundledUnits(scheme)
        try await engine.write { db in
            for chunk in stride(from: 0, to: units.count, by: 400) {
                let rows = units[chunk..<min(chunk + 400, units.count)]
                var query = SQLQueryString("INSERT INTO admin_units (scheme, code, name, division_type, level, parent_code, name_folded) VALUES ")
                for (offset, unit) in rows.enumerated() {
                    if offset > 0 { query += ", " as SQLQueryString }
                    query += "(\(bind: scheme.rawValue), \(bind: unit.code), \(bind: unit.name), \(bind: unit.divisionType), \(bind: unit.level.rawValue), \(bind: unit.parentCode), \(bind: TextFolding.fold(unit.name)))" as SQLQueryString
                }
                // The conflict clause makes a concurrent first start by two instances harmless.
                query += " ON CONFLICT (scheme, code) DO NOTHING" as SQLQueryString
                try await db.raw(query).run()
            }
        }
        return units.count
    }

    /// Makes `scheme` the deployment's list, loading it first.
    public func activate(_ scheme: UnitScheme) async throws {
        try await ensureLoaded(scheme)
        try await settings.set("units_scheme", scheme.rawValue)
    }

    /// Children of a unit in the active scheme, or the provinces when `parent` is nil.
    public func children(of parent: String?, scheme: UnitScheme) async throws -> [AdminUnit] {
        try await engine.read { db in
            let rows: [any SQLRow]
            if let parent {
                rows = try await db.raw("SELECT * FROM admin_units WHERE scheme = \(bind: scheme.rawValue) AND parent_code = \(bind: parent) ORDER BY name_folded").all()
            } else {
                rows = try await db.raw("SELECT * FROM admin_units WHERE scheme = \(bind: scheme.rawValue) AND level = 'province' ORDER BY code").all()
            }
            return try rows.map(Self.unit(from:))
        }
    }

    /// One unit by code. The official lists never change once loaded, so every page showing an
    /// address reads them from memory instead of walking the table per place.
    public func unit(_ code: String, scheme: UnitScheme) async throws -> AdminUnit? {
        try await units(scheme)[code]
    }

    private func units(_ scheme: UnitScheme) async throws -> [String: AdminUnit] {
        if let cached = cache.units(scheme) { return cached }
        let all = try await engine.read { db in
            try await db.raw("SELECT * FROM admin_units WHERE scheme = \(bind: scheme.rawValue)").all().map(Self.unit(from:))
        }
        let byCode = Dictionary(all.map { ($0.code, $0) }, uniquingKeysWith: { first, _ in first })
        // An empty result is not cached: the list may be loaded by another instance a moment later.
        if !byCode.isEmpty { cache.store(byCode, for: scheme) }
        return byCode
    }

    /// The unit and its ancestors, from the unit itself up to its province.
    public func path(_ code: String, scheme: UnitScheme) async throws -> [AdminUnit] {
        var path: [AdminUnit] = []
        var next: String? = code
        while let current = next, path.count < 4, let unit = try await unit(current, scheme: scheme) {
            path.append(unit)
            next = unit.parentCode
        }
        return path
    }

    static func unit(from row: any SQLRow) throws -> AdminUnit {
        AdminUnit(
            code: try row.decode(column: "code", as: String.self),
            name: try row.decode(column: "name", as: String.self),
            divisionType: try row.decode(column: "division_type", as: String.self),
            level: AdminUnit.Level(rawValue: try row.decode(column: "level", as: String.self)) ?? .ward,
            parentCode: try row.decode(column: "parent_code", as: String?.self))
    }

    /// Reads the CSV shipped with the binary (source: General Statistics Office, see Resources/units/SOURCE.md).
    public static func bundledUnits(_ scheme: UnitScheme) throws -> [AdminUnit] {
        guard let url = Bundle.module.url(forResource: "admin-units-\(scheme.rawValue)", withExtension: "csv", subdirectory: "units") else {
            throw DatabaseError.badLocation("the administrative units file for \(scheme.rawValue) is missing from the build")
        }
        let text = try String(contentsOf: url, encoding: .utf8)
        var units: [AdminUnit] = []
        for line in text.split(whereSeparator: \.isNewline).dropFirst() {
            // The official names contain no commas or quotes, so a plain split is exact; a malformed line is an error, not a skip.
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count == 5, let level = AdminUnit.Level(rawValue: fields[3]) else {
                throw DatabaseError.corruptRow("administrative units \(scheme.rawValue): \(line)")
            }
            units.append(AdminUnit(code: fields[0], name: fields[1], divisionType: fields[2], level: level,
                                   parentCode: fields[4].isEmpty ? nil : fields[4]))
        }
        return units
    }
}

/// The loaded lists, per scheme, shared by every copy of the store.
final class UnitCache: Sendable {
    private let byScheme = Mutex<[UnitScheme: [String: AdminUnit]]>([:])
    func units(_ scheme: UnitScheme) -> [String: AdminUnit]? { byScheme.withLock { $0[scheme] } }
    func store(_ units: [String: AdminUnit], for scheme: UnitScheme) { byScheme.withLock { $0[scheme] = units } }
}

import Synchronization
