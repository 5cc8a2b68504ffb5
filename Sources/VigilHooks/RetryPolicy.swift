import Foundation
import VigilConfig
import VigilStore

/// What one attempt came back with, before it is classified.
public struct AttemptReport: Sendable, Equatable {
    /// HTTP status, or a command's exit status; nil when there was no answer.
    public var status: Int?
    /// Why it failed (nil on success).
    public var error: String?
    /// The start of the answer body or of the command's output.
    public var response: String?
    /// Seconds a 429 or 503 answer asked us to wait.
    public var retryAfter: Double?
    public var succeeded: Bool
    /// The receiver refused the event for good: retrying cannot help.
    public var permanent: Bool
    public var seconds: Double

    public init(status: Int?, error: String?, response: String?, retryAfter: Double? = nil,
                succeeded: Bool, permanent: Bool = false, seconds: Double) {
        self.status = status
        self.error = error
        self.response = response
        self.retryAfter = retryAfter
        self.succeeded = succeeded
        self.permanent = permanent
        self.seconds = seconds
    }
}

/// Turns an attempt into the delivery's next state, on the configured schedule.
public struct RetryPolicy: Sendable {
    public var policy: DeliveryPolicy

    public init(_ policy: DeliveryPolicy) {
        self.policy = policy
    }

    /// The delay before attempt number `attempt + 1`, given `attempt` failed ones, before jitter.
    public func delay(afterFailures attempt: Int) -> Double {
        policy.schedule[min(max(attempt, 0), policy.schedule.count - 1)]
    }

    /// Whether `delivery` should be attempted at `now`. When `now` is earlier than the delivery's
    /// last attempt (or its queueing), the wall clock went back (an NTP step, an operator): the
    /// delivery is due now, rather than held for however far the clock jumped.
    public func isDue(_ delivery: Delivery, now: Date = Date()) -> Bool {
        if delivery.nextAttemptAt <= now { return true }
        let reference = delivery.lastAttemptAt ?? delivery.scheduledAt
        return now < reference.addingTimeInterval(-1)
    }

    /// When the delivery stops being retried.
    public func deadline(of delivery: Delivery) -> Date {
        delivery.scheduledAt.addingTimeInterval(policy.maxAge)
    }

    public func classify(_ report: AttemptReport, delivery: Delivery, now: Date = Date(),
                         random: Double = Double.random(in: -1...1)) -> AttemptResult {
        if report.succeeded { return .delivered(status: report.status) }
        let error = report.error ?? "failed"
        if report.permanent { return .dead(status: report.status, error: error, response: report.response) }
        let deadline = deadline(of: delivery)
        let failures = delivery.attempts + 1
        if now >= deadline {
            let age = Int(policy.maxAge)
            return .dead(status: report.status, error: "\(error); gave up after \(failures) attempt(s) over max_age \(age) s",
                         response: report.response)
        }
        let wait = report.retryAfter ?? delay(afterFailures: failures) * (1 + policy.jitter * random)
        // The last attempt lands on the deadline rather than beyond it.
        let next = min(now.addingTimeInterval(max(0, wait)), deadline)
        return .retry(status: report.status, error: error, response: report.response, next: next)
    }

    /// `Retry-After` as seconds or an HTTP date.
    public static func retryAfter(_ header: String?, now: Date = Date()) -> Double? {
        guard let text = header?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        if let seconds = Double(text), seconds >= 0 { return seconds }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text).map { max(0, $0.timeIntervalSince(now)) }
    }
}
