/// What each command does, in one line: the full binary's commands and the light front's
/// stand-ins for them (which hand the command over) say the same.
public enum CommandAbstracts {
    public static let run = "Run the daemon: every enabled camera, live watchlists, durable alerts."
    public static let scan = "Find faces and licence plates in videos and images and match them against watchlists."
    public static let plates = "Licence-plate reading: measure it on labelled sets."
    public static let eeg = "EEG recordings (EDF, EDF+, BDF, BDF+): header, channels, band powers."
    public static let crime = "Crime incidents: import, train and evaluate severity models, score, hotspots, forecasts, the model registry."
    public static let watchlist = "Create, fill, list and remove face and plate watchlists (every change is audit-logged)."
    public static let enroll = "Enrol face images for a subject; every image must show exactly one face, or nothing is stored."
    public static let importFolder = "Import DIR/<subject>/<images> (and DIR/watchlist.yaml if present) as one watchlist, all or nothing."
    public static let cases = "Case records: open from alerts, link people, vehicles, alerts and incidents, append notes and files, search, statistics."
    public static let bench = "Measure accuracy and speed on real data; prints figures (no pass/fail)."
}

/// Which commands run where: `vigil` runs the rest itself, hands these to `vigil-full`.
public enum CommandRouting {
    /// Top-level commands that need vision (faces, plates, video).
    public static let fullCommands: Set<String> = ["run", "scan", "plates", "bench"]
    /// `vigil watchlist` subcommands that compute face encodings.
    public static let fullWatchlistCommands: Set<String> = ["enroll", "import"]
    /// Commands that can read plates with Tesseract, whose OpenMP threads must be limited before the
    /// library loads (OMP_THREAD_LIMIT is read once, when libgomp loads).
    public static let readingPlates: Set<String> = ["run", "plates", "scan", "bench"]
}
