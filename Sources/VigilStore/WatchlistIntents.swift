import Foundation
import VigilCore
import VigilPlates

/// What each watchlist intent means, written once for every backend: validate, then read and
/// write rows and append the audit lines, all in one transaction of the store's backend.
extension WatchlistStore {
    // MARK: Face watchlists

    public func createWatchlist(name: String, threshold: Double = 0.6, actor: String) throws -> WatchlistSummary {
        try Validation.name(name, kind: "watchlist name")
        try Validation.threshold(threshold)
        return try backend.write(announcing: .watchlists) { rows in
            if try rows.watchlist(named: name) != nil { throw StoreError.watchlistExists(name) }
            return try WatchlistSteps.summary(rows, try WatchlistSteps.insertWatchlist(rows, name: name, threshold: threshold, actor: actor, detail: [:]))
        }
    }

    public func enrol(watchlist: String, subject: SubjectInput, images: [NewEnrolment], actor: String) throws -> EnrolOutcome {
        try Validation.subject(subject)
        return try backend.write(announcing: .watchlists) { rows in
            let list = try WatchlistSteps.existing(rows, watchlist)
            guard list.kind == "face" else { throw StoreError.wrongKind(watchlist: watchlist, kind: list.kind, operation: "enrol faces") }
            return try WatchlistSteps.enrol(rows, list: list, subject: subject, images: images, actor: actor)
        }
    }

    /// The watchlist is created when missing, subjects and images are added; nothing is stored
    /// if any part fails.
    public func importWatchlist(name: String, threshold: Double?, subjects: [(SubjectInput, [NewEnrolment])],
                         actor: String) throws -> [String: EnrolOutcome] {
        try Validation.name(name, kind: "watchlist name")
        if let threshold { try Validation.threshold(threshold) }
        for (subject, _) in subjects { try Validation.subject(subject) }
        return try backend.write(announcing: .watchlists) { rows in
            var list: WatchlistRecord
            if let existing = try rows.watchlist(named: name) {
                guard existing.kind == "face" else { throw StoreError.wrongKind(watchlist: name, kind: existing.kind, operation: "import faces") }
                list = existing
                if let threshold, threshold != existing.threshold {
                    list.threshold = threshold
                    try rows.setThreshold(threshold, watchlist: existing.id!)
                    try rows.append(AuditRecord(actor: actor, action: "watchlist.threshold", watchlist: name,
                                                detail: ["from": existing.threshold, "to": threshold]))
                }
            } else {
                list = try WatchlistSteps.insertWatchlist(rows, name: name, threshold: threshold ?? 0.6, actor: actor, detail: ["via": "import"])
            }
            var outcomes: [String: EnrolOutcome] = [:]
            for (subject, images) in subjects {
                outcomes[subject.id] = try WatchlistSteps.enrol(rows, list: list, subject: subject, images: images, actor: actor)
            }
            return outcomes
        }
    }

    /// Deletes a watchlist with its subjects and their encodings (biometric data is not kept).
    public func removeWatchlist(name: String, actor: String) throws {
        try backend.write(announcing: .watchlists) { rows in
            let list = try WatchlistSteps.existing(rows, name)
            let subjects = try rows.subjectCount(watchlist: list.id!)
            try rows.deleteWatchlist(id: list.id!)
            try rows.append(AuditRecord(actor: actor, action: "watchlist.remove", watchlist: name, detail: ["subjects": subjects]))
        }
    }

    /// Deletes one subject with all of their enrolment encodings.
    public func removeSubject(watchlist: String, subject: String, actor: String) throws {
        try backend.write(announcing: .watchlists) { rows in
            let list = try WatchlistSteps.existing(rows, watchlist)
            guard let record = try rows.subject(watchlist: list.id!, externalID: subject) else {
                throw StoreError.subjectNotFound(watchlist: watchlist, subject: subject)
            }
            let images = try rows.enrolmentCount(subject: record.id!)
            try rows.deleteSubject(id: record.id!)
            try rows.append(AuditRecord(actor: actor, action: "subject.remove", watchlist: watchlist, subject: subject,
                                        detail: ["enrolments": images]))
        }
    }

    // MARK: Queries

    public func watchlists() throws -> [WatchlistSummary] {
        try backend.read { rows in try rows.watchlists().map { try WatchlistSteps.summary(rows, $0) } }
    }

    public func watchlist(named name: String) throws -> WatchlistDetail {
        try backend.read { rows in
            let list = try WatchlistSteps.existing(rows, name)
            let subjects = try rows.subjects(watchlist: list.id!).map { subject in
                SubjectSummary(id: subject.externalID, name: subject.displayName, notes: subject.notes,
                               enrolments: try rows.enrolments(subject: subject.id!).map(EnrolmentSummary.init))
            }
            return WatchlistDetail(watchlist: try WatchlistSteps.summary(rows, list), subjects: subjects,
                                   plates: try rows.plateEntries(watchlist: list.id!).map(PlateEntrySummary.init))
        }
    }

    /// Throws `watchlistNotFound` for a name that does not exist, rather than matching nothing silently.
    public func faceEnrolments(watchlists names: [String]? = nil) throws -> [EnrolledFace] {
        try backend.read { rows in
            for name in names ?? [] where try rows.watchlist(named: name) == nil { throw StoreError.watchlistNotFound(name) }
            return try rows.faceEnrolments(watchlists: names)
        }
    }

    public func plateEntries(watchlists names: [String]? = nil) throws -> [PlateEntry] {
        try backend.read { rows in try rows.plateEntries(watchlists: names?.isEmpty == true ? nil : names) }
    }

    /// A number that changes whenever a watchlist changes (every change appends to the audit
    /// log), so a running daemon can reload without a restart.
    public func watchlistGeneration() throws -> Int64 {
        try backend.read { rows in try rows.lastAuditID() }
    }

    /// Where an enrolment's image is (for showing the photo an alert matched) and the SHA-256 its
    /// bytes had when enrolled, or nil if the enrolment was removed.
    public func enrolmentImage(id: Int64) throws -> (path: String, sha256: String)? {
        try backend.read { rows in try rows.enrolmentImage(id: id) }
    }

    public func auditLog(watchlist: String? = nil, limit: Int = 100) throws -> [AuditEntry] {
        try backend.read { rows in
            try rows.audit(watchlist: watchlist, limit: limit).map {
                AuditEntry(id: $0.id ?? 0, at: $0.at, actor: $0.actor, action: $0.action, watchlist: $0.watchlist,
                           subject: $0.subject, detail: $0.detail)
            }
        }
    }
}

/// Steps the intents share, inside a transaction.
enum WatchlistSteps {
    static func existing(_ rows: any WatchlistRows, _ name: String) throws -> WatchlistRecord {
        guard let list = try rows.watchlist(named: name) else { throw StoreError.watchlistNotFound(name) }
        return list
    }

    /// Creates a face watchlist and its audit line.
    static func insertWatchlist(_ rows: any WatchlistRows, name: String, threshold: Double, actor: String,
                                detail: [String: any Sendable]) throws -> WatchlistRecord {
        var record = WatchlistRecord(id: nil, name: name, kind: "face", threshold: threshold, createdAt: Date())
        try rows.insert(&record)
        try rows.append(AuditRecord(actor: actor, action: "watchlist.create", watchlist: name,
                                    detail: detail.merging(["threshold": threshold]) { current, _ in current }))
        return record
    }

    static func summary(_ rows: any WatchlistRows, _ list: WatchlistRecord) throws -> WatchlistSummary {
        let id = list.id!, isPlate = list.kind == "plate"
        return WatchlistSummary(name: list.name, kind: list.kind, threshold: list.threshold,
                                subjects: try rows.subjectCount(watchlist: id), enrolments: try rows.enrolmentCount(watchlist: id),
                                createdAt: list.createdAt, mode: isPlate ? list.mode : nil, maxEdits: isPlate ? list.maxEdits : nil,
                                region: isPlate ? list.region : nil, plates: isPlate ? try rows.plateCount(watchlist: id) : nil)
    }

    static func enrol(_ rows: any WatchlistRows, list: WatchlistRecord, subject: SubjectInput,
                      images: [NewEnrolment], actor: String) throws -> EnrolOutcome {
        var created = false
        var record: SubjectRecord
        if let existing = try rows.subject(watchlist: list.id!, externalID: subject.id) {
            record = existing
            let name = subject.displayName ?? existing.displayName, notes = subject.notes ?? existing.notes
            if name != existing.displayName || notes != existing.notes {
                try rows.updateSubject(id: existing.id!, displayName: name, notes: notes)
                try rows.append(AuditRecord(actor: actor, action: "subject.update", watchlist: list.name, subject: subject.id,
                                            detail: ["name": name, "notes": notes ?? ""]))
            }
        } else {
            record = SubjectRecord(id: nil, watchlistId: list.id!, externalID: subject.id,
                                   displayName: subject.displayName ?? subject.id, notes: subject.notes, createdAt: Date())
            try rows.insert(&record)
            created = true
            try rows.append(AuditRecord(actor: actor, action: "subject.create", watchlist: list.name, subject: subject.id,
                                        detail: ["name": record.displayName]))
        }
        var added: [String] = [], duplicates: [String] = [], seen: Set<String> = []
        for image in images {
            let known = try rows.hasEnrolment(subject: record.id!, sha256: image.sha256)
            if known || !seen.insert(image.sha256).inserted {
                duplicates.append(image.sourcePath)
                continue
            }
            var row = EnrolmentRecord(
                id: nil, subjectId: record.id!, imageSHA256: image.sha256, sourcePath: image.sourcePath,
                encoding: EncodingBlob.data(image.encoding), boxX: image.box.x, boxY: image.box.y,
                boxWidth: image.box.width, boxHeight: image.box.height, detector: image.detector, createdAt: Date())
            try rows.insert(&row)
            added.append(image.sourcePath)
            try rows.append(AuditRecord(actor: actor, action: "enrolment.add", watchlist: list.name, subject: subject.id,
                                        detail: ["image": image.sourcePath, "sha256": image.sha256]))
        }
        return EnrolOutcome(subjectCreated: created, added: added, alreadyEnrolled: duplicates)
    }
}
