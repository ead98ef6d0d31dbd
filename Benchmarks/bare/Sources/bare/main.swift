import Hummingbird

// `bare [PORT]`: listens on 127.0.0.1 and answers GET / with "ok"; nothing else (no middleware, no
// logging beyond Hummingbird's defaults), the ceiling of the framework on this machine.
let port = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 8081 : 8081
let router = Router()
router.get("/") { _, _ in "ok" }
let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "bare"))
try await app.runService()
