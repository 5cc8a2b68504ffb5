import CoreMetrics

/// What a node reports through swift-metrics; the daemon's Prometheus backend exports it on
/// `/metrics`, so an outage of the shared database is visible there as well as in the log.
///
/// - `vigil_cluster_database_reachable`: 1 after a renewal succeeded, 0 after one failed.
/// - `vigil_cluster_renewal_failures_total`: renewals (with any reconnect) that failed or timed out.
/// - `vigil_cluster_renewal_seconds`: how long successful renewals took.
/// - `vigil_cluster_leases_held{kind=camera|hook}`: what the node holds, 0 while fenced.
struct ClusterMetrics: Sendable {
    let factory: any MetricsFactory

    func renewed(seconds: Double) {
        Gauge(label: "vigil_cluster_database_reachable", factory: factory).record(1)
        CoreMetrics.Timer(label: "vigil_cluster_renewal_seconds", preferredDisplayUnit: .seconds, factory: factory)
            .recordNanoseconds(Int64(seconds * 1e9))
    }

    func failed() {
        Gauge(label: "vigil_cluster_database_reachable", factory: factory).record(0)
        Counter(label: "vigil_cluster_renewal_failures_total", factory: factory).increment()
    }

    func held(_ holdings: Holdings) {
        Gauge(label: "vigil_cluster_leases_held", dimensions: [("kind", "camera")], factory: factory).record(holdings.cameras.count)
        Gauge(label: "vigil_cluster_leases_held", dimensions: [("kind", "hook")], factory: factory).record(holdings.hooks.count)
    }
}
