import ArgumentParser
import Foundation
import Logging
import RavaoStore

/// `ravao backup`: a consistent copy of the database while the servers keep writing.
///
/// SQLite: `VACUUM INTO` on a reader connection copies one read transaction's snapshot (WAL mode lets
/// the writer go on meanwhile) into a new file, compacted; it is written next to the target and
/// renamed only once complete, so a half-written backup never carries the final name.
/// PostgreSQL: `pg_dump -Fc` of the database (of the `?schema=` only, when the URL names one), which
/// also reads one snapshot. Point-in-time recovery (base backups plus WAL archiving) is the
/// operator's PostgreSQL setup, described in docs/OPERATIONS.md.
///
/// The server secret is never in the database, so never in a backup: keep a copy of the secret file
/// apart (docs/SECURITY.md, rule 8).
struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a consistent backup of the database while servers keep running.",
        discussion: """
            SQLite: an online copy (VACUUM INTO) to --output, a new file. PostgreSQL: runs pg_dump -Fc \
            (PostgreSQL's client tools must be on PATH) to --output. Restore with `ravao restore`. \
            The server secret file is not part of the backup: keep a copy of it elsewhere.
            """)
    @OptionGroup var db: DatabaseOptions
    @Option(name: .shortAndLong, help: "File to write; it must not exist yet") var output: String

    func run() async throws {
        let location = try db.location()
        let target = URL(fileURLWithPath: output).standardizedFileURL
        guard !FileManager.default.fileExists(atPath: target.path) else {
            throw ValidationError("\(target.path) already exists; name a new file (a backup never overwrites one)")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: target.deletingLastPathComponent().path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("the directory \(target.deletingLastPathComponent().path) does not exist")
        }
        let started = Date()
        switch location {
        case .sqlite(let path):
            try await Self.sqliteBackup(path: path, to: target, logger: db.logger())
        case .postgres(let p):
            try PostgresTools.run("pg_dump", p, arguments: ["--format=custom", "--no-owner", "--file=\(target.path)"]
                                    + (p.schema.map { ["--schema=\($0)"] } ?? []) + [p.database])
        }
        // Personal data: readable by the service user only, whatever the umask.
        chmod(target.path, 0o600)
        let size = (try? FileManager.default.attributesOfItem(atPath: target.path)[.size] as? Int) ?? 0
        print("backup written to \(target.path) (\(size) bytes) in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        print("the server secret is not in it: keep a copy of the secret file with your backups, stored apart")
    }

    static func sqliteBackup(path: String, to target: URL, logger: Logger) async throws {
        guard FileManager.default.fileExists(atPath: path) else { throw ValidationError("no SQLite database at \(path)") }
        let partial = target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).partial")
        try? FileManager.default.removeItem(at: partial)
        let engine = try await openDatabase(.sqlite(path: path), logger: logger)
        do {
            // A reader connection: the backup is one read transaction and never holds up the writer.
            try await DatabaseBackup.sqliteSnapshot(engine, into: partial.path)
            // The copy must be on disk before it takes the final name.
            let fd = open(partial.path, O_RDONLY)
            if fd >= 0 { fsync(fd); close(fd) }
            try FileManager.default.moveItem(at: partial, to: target)
        } catch {
            await engine.shutdown()
            try? FileManager.default.removeItem(at: partial)
            throw ValidationError("SQLite backup of \(path) failed: \(error)")
        }
        await engine.shutdown()
    }
}

/// `ravao restore`: puts a backup made by `ravao backup` in place of an empty database.
struct Restore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Restore a backup made by `ravao backup` into a new, empty database.",
        discussion: """
            SQLite: checks the backup's integrity and copies it to the --database path, which must not exist \
            (stop the servers and move the damaged file away first). PostgreSQL: runs pg_restore into the \
            database --database names, which must not hold Ravao's tables yet (create it with createdb). \
            Then start `ravao serve` on it with the same secret file as before; migrations newer than the \
            backup run at start.
            """)
    @OptionGroup var db: DatabaseOptions
    @Argument(help: "The backup file") var backup: String

    func run() async throws {
        guard FileManager.default.fileExists(atPath: backup) else { throw ValidationError("no backup file at \(backup)") }
        let logger = db.logger()
        let started = Date()
        switch try db.location() {
        case .sqlite(let path):
            for file in [path, path + "-wal", path + "-shm"] where FileManager.default.fileExists(atPath: file) {
                throw ValidationError("\(file) exists; restore only into a new path (stop the servers and move the old files away first)")
            }
            // The copy is checked, never the backup itself: opening a file may change it (WAL mode).
            let target = URL(fileURLWithPath: path)
            let partial = target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).partial")
            for file in [partial.path, partial.path + "-wal", partial.path + "-shm"] { try? FileManager.default.removeItem(atPath: file) }
            do {
                try FileManager.default.copyItem(at: URL(fileURLWithPath: backup), to: partial)
            } catch {
                throw ValidationError("cannot write next to \(path): \(error)")
            }
            let copy = try await openDatabase(.sqlite(path: partial.path), logger: logger)
            let verdict: String
            do {
                verdict = try await DatabaseBackup.sqliteIntegrity(copy)
            } catch {
                await copy.shutdown()
                try? FileManager.default.removeItem(at: partial)
                throw ValidationError("\(backup) is not a readable SQLite database: \(error)")
            }
            await copy.shutdown()
            guard verdict == "ok" else {
                try? FileManager.default.removeItem(at: partial)
                throw ValidationError("\(backup) fails SQLite's integrity check: \(verdict)")
            }
            let fd = open(partial.path, O_RDONLY)
            if fd >= 0 { fsync(fd); close(fd) }
            do { try FileManager.default.moveItem(at: partial, to: target) } catch { throw ValidationError("cannot write \(path): \(error)") }
        case .postgres(let p):
            let engine = try await openDatabase(.postgres(p), logger: logger)
            let existing: Int
            do {
                existing = try await DatabaseBackup.postgresTableCount(engine, schema: p.schema ?? "public")
            } catch {
                await engine.shutdown()
                throw ValidationError("cannot read the target database: \(error)")
            }
            await engine.shutdown()
            guard existing == 0 else {
                throw ValidationError("schema \(p.schema ?? "public") of \(p.database) holds \(existing) tables already; restore into a new database (createdb) or a new schema")
            }
            // --clean --if-exists: the schema is empty (checked above) but may exist (opening the database
            // with ?schema= creates it); the dump creates it again.
            try PostgresTools.run("pg_restore", p, arguments: ["--no-owner", "--exit-on-error", "--clean", "--if-exists", "--dbname=\(p.database)", backup])
        }
        print("restored \(backup) into \(try db.location()) in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        print("start `ravao serve` on it with the secret file of the deployment the backup came from")
    }
}

/// Runs PostgreSQL's client tools with the connection of a `postgres://` URL. The password goes
/// through the environment (PGPASSWORD), never the command line other users can read in `ps`.
enum PostgresTools {
    static func find(_ tool: String) -> String? {
        let path = env("PATH") ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    static func run(_ tool: String, _ p: DatabaseLocation.PostgresLocation, arguments: [String]) throws {
        guard let executable = find(tool) else {
            throw ValidationError("""
                \(tool) is not on PATH; install PostgreSQL's client tools of the server's major version or newer \
                (Debian: apt-get install postgresql-client-15), or run it yourself:
                  PGPASSWORD=… \(tool) --host=\(p.host) --port=\(p.port) --username=\(p.username) \(arguments.joined(separator: " "))
                """)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["--host=\(p.host)", "--port=\(p.port)", "--username=\(p.username)", "--no-password"] + arguments
        var environment = ProcessInfo.processInfo.environment
        if let password = p.password { environment["PGPASSWORD"] = password }
        process.environment = environment
        do { try process.run() } catch { throw ValidationError("cannot start \(executable): \(error)") }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ValidationError("\(tool) failed with exit status \(process.terminationStatus) (its message is above)")
        }
    }
}
