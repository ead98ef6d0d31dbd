import Synchronization

/// The queue behind group commit (`CheckInWriter`) and grouped reads (`ReadBatcher`): callers add
/// what they wait for, at most `lanes` drain loops run, and each loop takes everything that arrived
/// while its previous batch was in flight (up to `maximumBatch`).
package final class BatchQueue<Item: Sendable>: Sendable {
    private struct State: Sendable {
        var waiting: [Item] = []
        var draining = 0
    }
    private let state = Mutex(State())
    private let lanes: Int
    private let maximumBatch: Int

    package init(lanes: Int, maximumBatch: Int) {
        precondition(lanes > 0 && maximumBatch > 0)
        self.lanes = lanes
        self.maximumBatch = maximumBatch
    }

    /// Queues `item`; true when the caller must start a drain loop (fewer than `lanes` run).
    package func add(_ item: Item) -> Bool {
        state.withLock { state in
            state.waiting.append(item)
            guard state.draining < lanes else { return false }
            state.draining += 1
            return true
        }
    }

    /// The next batch for a drain loop; empty when the queue is empty, and the loop must then end.
    package func next() -> [Item] {
        state.withLock { state in
            guard !state.waiting.isEmpty else {
                state.draining -= 1
                return []
            }
            let count = min(maximumBatch, state.waiting.count)
            defer { state.waiting.removeFirst(count) }
            return Array(state.waiting.prefix(count))
        }
    }

    /// Items waiting for a batch to start (for tests).
    package var waitingCount: Int { state.withLock { $0.waiting.count } }
}
