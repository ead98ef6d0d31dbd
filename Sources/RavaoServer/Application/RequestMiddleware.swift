import Dispatch
import Hummingbird
import Metrics
import Synchronization

/// Every request's way through the server, as one middleware: metrics, then who is asking (identity,
/// language, CSRF, the menu's roles), the route, the place history of a successful change, and last
/// the error answer and the security headers, whatever happened.
///
/// One middleware rather than six, for two reasons:
/// - The error answer is rendered in the language identity resolved. As a separate outer middleware
///   it only saw the request context as it was before identity ran (contexts are values), so every
///   error page was in Vietnamese.
/// - Each middleware is an async frame holding its own copy of the context, and Hummingbird's metrics
///   middleware wrapped every body in a closure, which loses the single-buffer write fast path (head,
///   body and end in one batched write) for every answer. The 404 went from 0.48 to 0.75 of the bare
///   framework (issue 16, `Benchmarks/RESULTS.md`).
struct RequestMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let identity: RequestIdentity
    let history: PlaceHistoryAudit
    let metrics = RequestMetrics()

    init(services: AppServices) {
        identity = RequestIdentity(services: services)
        history = PlaceHistoryAudit(services: services)
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = DispatchTime.now().uptimeNanoseconds
        let active = metrics.active(request.method)
        active.increment()
        var context = context
        var response: Response
        do {
            let resolved = try await identity.resolve(request, into: &context)
            response = try await next(request, context)
            await history.record(after: response, request: request, context: context)
            identity.finish(&response, context: context, resolved: resolved)
        } catch {
            response = ErrorAnswers.response(for: error, request: request, context: context)
        }
        SecurityHeaders.apply(to: &response)
        let done = Finished(metrics: metrics, active: active, endpoint: context.endpointPath ?? "Unknown", method: request.method,
                            status: response.status, started: started)
        if response.body.contentLength == nil {
            // A stream (an export, a live view): in flight, and timed, until its last byte.
            let body = response.body
            response.body = ResponseBody { writer in
                do { try await body.write(writer) } catch { done(); throw error }
                done()
            }
        } else {
            // A single buffer keeps Hummingbird's one-write fast path: counted once made.
            done()
        }
        return response
    }

    private struct Finished: Sendable {
        let metrics: RequestMetrics
        let active: Meter
        let endpoint: String
        let method: HTTPRequest.Method
        let status: HTTPResponse.Status
        let started: UInt64
        func callAsFunction() {
            metrics.record(endpoint: endpoint, method: method, status: status, nanoseconds: DispatchTime.now().uptimeNanoseconds - started)
            active.decrement()
        }
    }
}

/// The request metrics Hummingbird's `MetricsMiddleware` exports, under the same names and labels
/// (`hb_requests`, `http_server_request_duration`, `hb_request_errors`, `http_server_active_requests`).
/// `RequestMiddleware` records an answer of known length when it is made, and only a stream after its
/// last byte, where Hummingbird's middleware wrapped every body.
final class RequestMetrics: Sendable {
    private struct Key: Hashable { let endpoint: String; let method: HTTPRequest.Method; let status: Int }
    private struct Endpoint: Sendable { let counter: Counter; let timer: Timer; let errors: Counter }
    private let endpoints = Mutex<[Key: Endpoint]>([:])
    private let methods = Mutex<[HTTPRequest.Method: Meter]>([:])

    func active(_ method: HTTPRequest.Method) -> Meter {
        methods.withLock { meters in
            if let meter = meters[method] { return meter }
            let meter = Meter(label: "http.server.active_requests", dimensions: [("http.request.method", method.description)])
            meters[method] = meter
            return meter
        }
    }

    func record(endpoint: String, method: HTTPRequest.Method, status: HTTPResponse.Status, nanoseconds: UInt64) {
        let key = Key(endpoint: endpoint, method: method, status: status.code)
        let metrics = endpoints.withLock { cache in
            if let found = cache[key] { return found }
            let dimensions = [("http.route", endpoint), ("http.request.method", method.description), ("http.response.status_code", status.code.description)]
            let made = Endpoint(counter: Counter(label: "hb.requests", dimensions: dimensions),
                                timer: Timer(label: "http.server.request.duration", dimensions: dimensions, preferredDisplayUnit: .seconds),
                                errors: Counter(label: "hb.request.errors", dimensions: [("http.route", endpoint), ("http.request.method", method.description),
                                                                                         ("error.type", status.code.description)]))
            cache[key] = made
            return made
        }
        metrics.counter.increment()
        metrics.timer.recordNanoseconds(Int64(clamping: nanoseconds))
        // Every error becomes an answer here, so a server error is counted by its status.
        if status.code >= 500 { metrics.errors.increment() }
    }
}
