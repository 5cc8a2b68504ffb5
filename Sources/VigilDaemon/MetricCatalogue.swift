import Prometheus

/// Every series the daemon exports, with the HELP text Prometheus shows for it.
///
/// swift-prometheus only takes help text when a metric is made through its registry, and its
/// swift-metrics factory (which every hot path here records through) always passes none; a
/// family made twice with different help text traps. So help lives here, in one table, and is
/// written into the exposition text as it is served. `promtool check metrics`, run by
/// `DaemonHookTests` on a live daemon, fails when a family this table does not name is exported.
enum MetricCatalogue {
    static let help: [String: String] = [
        // Cameras (label camera; the daemon's own totals, sampled once a second).
        "vigil_camera_frames_decoded_total": "Frames decoded from the camera's stream.",
        "vigil_camera_frames_analysed_total": "Frames that went through detection (faces, plates) after sampling and motion gating.",
        "vigil_camera_frames_dropped_total": "Frames dropped because analysis was busy (newest-wins buffer between decode and analysis).",
        "vigil_camera_frames_motion_skipped_total": "Sampled frames not searched because nothing moved.",
        "vigil_camera_reconnects_total": "Times the camera's stream was opened again after a failure.",
        "vigil_camera_fps": "Frames per second over the last second, by kind (decoded, analysed).",
        "vigil_camera_streaming": "1 while the camera delivers frames, 0 while it is connecting or backing off.",
        "vigil_camera_cpu_seconds_total": "CPU seconds spent on the camera, by pipeline stage.",
        "vigil_detect_stretch": "How far the node stretches every camera's detection interval to keep them in real time (1 = at detect_fps; above 1 = over capacity).",
        // Analysis.
        "vigil_stage_seconds": "Wall time per analysed frame, by stage (detect, encode, plates, capture_to_analysed).",
        "vigil_faces_detected_total": "Faces found by detection and tracking.",
        "vigil_plates_read_total": "Licence-plate reads accepted by OCR.",
        "vigil_matches_total": "Faces or plates that matched a watchlist entry, and behaviour rules that fired.",
        "vigil_line_crossings_total": "People who crossed a camera's line, by line and direction (in, out).",
        // Alerts.
        "vigil_alerts_total": "Alerts committed, by event (created, updated within the cooldown).",
        "vigil_alert_sink_total": "Sightings handed to the alert store, by outcome (stored, spooled to disk while the database refused, refused).",
        "vigil_alert_evidence_missing_total": "Alerts committed without their snapshot, by reason.",
        // Hooks.
        "vigil_hook_outbox": "Outbox rows per hook and state (pending, delivered, dead).",
        "vigil_hook_deliveries_total": "Delivery attempts per hook and result.",
        "vigil_hook_delivery_latency_seconds": "Time from an alert's commit to its delivery, per hook.",
        // Disks.
        "vigil_storage_free_bytes": "Bytes free to the daemon on the file system holding each volume (database, snapshots).",
        "vigil_storage_capacity_bytes": "Size of the file system holding each volume (database, snapshots).",
        // The process.
        "process_cpu_seconds_total": "User and system CPU time of the daemon process.",
        "process_resident_memory_bytes": "Resident memory of the daemon process.",
        "process_open_fds": "Open file descriptors of the daemon process.",
    ]

    /// The registry's exposition text with a HELP line before each family's TYPE line.
    static func exposition(_ registry: PrometheusCollectorRegistry) -> String {
        let text = registry.emitToString()
        var lines: [Substring] = []
        lines.reserveCapacity(text.count / 40)
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("# TYPE "), let name = line.dropFirst(7).split(separator: " ").first,
               let help = help[String(name)] {
                lines.append("# HELP \(name) \(help)")
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }
}
