import ArgumentParser
import Foundation
import Logging
import RavaoStore

/// `ravao-bench`: workload generators and timers for the scripts in `Benchmarks/`. Kept out of the
/// `ravao` binary, so an operator's `ravao --help` lists only what runs a deployment.
@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ravao-bench",
        abstract: "Benchmark workloads for Ravao (used by the scripts in Benchmarks/).",
        subcommands: [BenchTracing.self, BenchCoverage.self, ExplainNational.self])
}

/// The database and log level of a benchmark run; the same flags and `RAVAO_…` variables as `ravao`.
struct DatabaseOptions: ParsableArguments {
    @Option(help: "sqlite:PATH or postgres://user:pass@host:port/db (env RAVAO_DATABASE; default sqlite:ravao.sqlite)")
    var database: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error (env RAVAO_LOG_LEVEL; default info)")
    var logLevel: String?

    func location() throws -> DatabaseLocation {
        let text = database ?? ProcessInfo.processInfo.environment["RAVAO_DATABASE"] ?? "sqlite:ravao.sqlite"
        do { return try DatabaseLocation(parsing: text) } catch { throw ValidationError("\(error)") }
    }

    func logger() -> Logger {
        var logger = Logger(label: "ravao-bench")
        logger.logLevel = Logger.Level(rawValue: logLevel ?? ProcessInfo.processInfo.environment["RAVAO_LOG_LEVEL"] ?? "info") ?? .info
        return logger
    }
}
