/// Which alerts a hook receives. Shared by the configuration (which reads it)
/// and the store (which applies it inside the alert's transaction).
/// An empty list means "any".
public struct HookFilter: Sendable, Equatable {
    public var watchlists: [String]
    public var cameras: [String]
    /// Alert kinds: `face`, `plate`, `drift`.
    public var kinds: [String]
    /// Event types: `alert.created`, `alert.updated`, `crime.drift`.
    public var events: [String]

    /// `crime.drift`: a crime model's inputs drifted (kind `drift`, no camera or watchlist).
    public static let eventTypes = ["alert.created", "alert.updated", "crime.drift"]
    public static let alertKinds = ["face", "plate", "behaviour", "drift"]

    public init(watchlists: [String] = [], cameras: [String] = [], kinds: [String] = [], events: [String] = []) {
        self.watchlists = watchlists
        self.cameras = cameras
        self.kinds = kinds
        self.events = events
    }

    public func accepts(event: String, kind: String, camera: String, watchlist: String) -> Bool {
        (events.isEmpty || events.contains(event)) && (kinds.isEmpty || kinds.contains(kind))
            && (cameras.isEmpty || cameras.contains(camera)) && (watchlists.isEmpty || watchlists.contains(watchlist))
    }
}

/// A hook as the outbox sees it: a name (deliveries are keyed by it) and its filter.
public struct OutboxRoute: Sendable, Equatable {
    public var hook: String
    public var filter: HookFilter

    public init(hook: String, filter: HookFilter) {
        self.hook = hook
        self.filter = filter
    }
}
