import Foundation

/// Wakes a waiting hook loop early: when an alert commits, an operator
/// re-queues a delivery, or the daemon shuts down. A ring with nobody waiting
/// is remembered, so a commit between two checks is never missed.
final class Doorbell: @unchecked Sendable {
    private let lock = NSLock()
    private var rung = false
    private var waiter: CheckedContinuation<Void, Never>?
    private var generation = 0

    func ring() {
        lock.lock()
        if let waiter {
            self.waiter = nil
            lock.unlock()
            waiter.resume()
        } else {
            rung = true
            lock.unlock()
        }
    }

    /// Returns on a ring or after `timeout` seconds, whichever is first.
    func wait(timeout: Double) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            lock.lock()
            if rung {
                rung = false
                lock.unlock()
                continuation.resume()
                return
            }
            waiter = continuation
            generation += 1
            let mine = generation
            lock.unlock()
            Task {
                try? await Task.sleep(for: .seconds(max(0.001, timeout)))
                self.expire(mine)
            }
        }
    }

    private func expire(_ generation: Int) {
        lock.lock()
        guard generation == self.generation, let waiter else {
            lock.unlock()
            return
        }
        self.waiter = nil
        lock.unlock()
        waiter.resume()
    }
}

/// At most `limit` hooks sending at once.
actor Gate {
    private var available: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) {
        available = limit
    }

    func enter() async {
        if available > 0 {
            available -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func leave() {
        if waiting.isEmpty {
            available += 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}
