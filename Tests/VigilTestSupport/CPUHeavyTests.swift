/// Tests that measure against a time target (fail-over, alert latency) and tests that load every
/// core on purpose (an overloaded node, model training) take turns: run side by side on a 2-core
/// machine, one would eat the other's CPU and turn a measurement into a flake. Everything else in
/// the suite still runs beside them.
public actor CPUHeavyTests {
    private static let gate = CPUHeavyTests()
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    /// Runs `body` when no other heavy test is running.
    public static func exclusive<T>(_ body: () async throws -> T) async throws -> T {
        await gate.acquire()
        do {
            let result = try await body()
            await gate.release()
            return result
        } catch {
            await gate.release()
            throw error
        }
    }

    private func acquire() async {
        guard busy else {
            busy = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    private func release() {
        if waiting.isEmpty { busy = false } else { waiting.removeFirst().resume() }
    }
}
