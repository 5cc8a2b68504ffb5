import CAnalytics

/// The one place CAnalytics status codes become `EEGError`s.
enum AnalyticsStatus {
    static func check(_ status: Int32, _ operation: String, message: @autoclosure () -> String) throws {
        guard status != Int32(VG_OK) else { return }
        let detail = message()
        throw EEGError.native(operation, detail.isEmpty ? "status \(status)" : detail)
    }
}
