import Prometheus

/// Counts the text messages sent and refused, for `/metrics`: a gateway that refuses messages
/// silently locks every new sign-in out (the codes never arrive), so operators alert on it.
struct MeteredSMSSender: SMSSender {
    let wrapped: any SMSSender
    let sent: Counter
    let failed: Counter

    init(_ wrapped: any SMSSender, metrics: PrometheusCollectorRegistry) {
        self.wrapped = wrapped
        sent = metrics.makeCounter(name: "ravao_sms_sent_total", help: "Text messages the SMS sender accepted")
        failed = metrics.makeCounter(name: "ravao_sms_failed_total", help: "Text messages the SMS sender refused or could not deliver to the gateway")
    }

    func send(to phone: String, text: String) async throws {
        do {
            try await wrapped.send(to: phone, text: text)
            sent.increment()
        } catch {
            failed.increment()
            throw error
        }
    }
}
