/// Group reads, the way `CheckInWriter` groups writes: callers ask for one key each, and the keys
/// that arrive while earlier reads are in flight are read together, with one statement.
///
/// Under a gate's load each scan's status read was its own statement: a round trip, a parse and a plan
/// on PostgreSQL for a few index lookups. Batched, the cost is paid once per batch (issue 16). Alone,
/// a caller waits for nothing: with no read in flight its key is read at once.
package final class ReadBatcher<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct Waiter: Sendable {
        let key: Key
        let continuation: CheckedContinuation<Value?, any Error>
    }

    private let queue: BatchQueue<Waiter>
    private let load: @Sendable ([Key]) async throws -> [Key: Value]

    /// `lanes`: reads in flight at once (each holds a connection). `load` gets distinct keys and
    /// answers those it found; a key it leaves out is answered nil.
    package init(lanes: Int = 2, maximumBatch: Int = 400, load: @escaping @Sendable ([Key]) async throws -> [Key: Value]) {
        queue = BatchQueue(lanes: lanes, maximumBatch: maximumBatch)
        self.load = load
    }

    package func value(_ key: Key) async throws -> Value? {
        try await withCheckedThrowingContinuation { continuation in
            if queue.add(Waiter(key: key, continuation: continuation)) { Task { await self.fly() } }
        }
    }

    /// Callers waiting for a batch to start (for tests).
    package var waitingCount: Int { queue.waitingCount }

    private func fly() async {
        while true {
            let batch = queue.next()
            if batch.isEmpty { return }
            var seen = Set<Key>()
            let keys = batch.map(\.key).filter { seen.insert($0).inserted }
            do {
                let values = try await load(keys)
                for waiter in batch { waiter.continuation.resume(returning: values[waiter.key]) }
            } catch {
                for waiter in batch { waiter.continuation.resume(throwing: error) }
            }
        }
    }
}
