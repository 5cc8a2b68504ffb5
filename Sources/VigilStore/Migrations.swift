import GRDB

/// The schema, only ever through named, append-only migrations: a migration
/// that has shipped is never edited; changes come as new migrations.
enum Migrations {
    static func migrator() -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-watchlists") { db in
            try db.create(table: "watchlist") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("name", .text).notNull().unique()
                t.column("kind", .text).notNull().defaults(to: "face").check { ["face", "plate"].contains($0) }
                t.column("threshold", .double).notNull().check { $0 > 0 && $0 < 2 }
                t.column("createdAt", .datetime).notNull()
            }
            try db.create(table: "subject") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("watchlist", onDelete: .cascade).notNull()
                t.column("externalID", .text).notNull()
                t.column("displayName", .text).notNull()
                t.column("notes", .text)
                t.column("createdAt", .datetime).notNull()
                t.uniqueKey(["watchlistId", "externalID"])
            }
            try db.create(table: "enrolment") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("subject", onDelete: .cascade).notNull()
                t.column("imageSHA256", .text).notNull()
                t.column("sourcePath", .text).notNull()
                t.column("encoding", .blob).notNull().check { length($0) == 512 }
                t.column("boxX", .integer).notNull()
                t.column("boxY", .integer).notNull()
                t.column("boxWidth", .integer).notNull()
                t.column("boxHeight", .integer).notNull()
                t.column("detector", .text).notNull()
                t.column("createdAt", .datetime).notNull()
                t.uniqueKey(["subjectId", "imageSHA256"])
            }
            // The audit log outlives what it describes (no foreign keys) and is append-only.
            try db.create(table: "auditLog") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("at", .datetime).notNull()
                t.column("actor", .text).notNull()
                t.column("action", .text).notNull()
                t.column("watchlist", .text)
                t.column("subject", .text)
                t.column("detail", .text)
            }
            try db.execute(sql: """
                CREATE TRIGGER auditLog_no_update BEFORE UPDATE ON auditLog
                BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                CREATE TRIGGER auditLog_no_delete BEFORE DELETE ON auditLog
                BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                """)
        }
        migrator.registerMigration("v2-alerts") { db in
            // Alerts keep their evidence by value (names, paths, distances): they must stay
            // explainable after the subject or enrolment they matched is removed.
            try db.create(table: "alert") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("kind", .text).notNull().defaults(to: "face")
                t.column("cameraID", .text).notNull()
                t.column("watchlist", .text).notNull()
                t.column("subjectID", .text).notNull()
                t.column("subjectName", .text).notNull()
                t.column("enrolmentID", .integer).notNull()
                t.column("enrolmentImage", .text).notNull()
                t.column("distance", .double).notNull()
                t.column("bestDistance", .double).notNull()
                t.column("threshold", .double).notNull()
                t.column("sharpness", .double).notNull()
                t.column("trackID", .integer).notNull()
                t.column("box", .text).notNull()
                t.column("firstSeen", .datetime).notNull()
                t.column("lastSeen", .datetime).notNull()
                t.column("count", .integer).notNull()
                t.column("snapshotPath", .text)
                t.column("cropPath", .text)
            }
            try db.create(index: "alert_dedup", on: "alert", columns: ["cameraID", "watchlist", "subjectID", "lastSeen"])
            try db.create(index: "alert_lastSeen", on: "alert", columns: ["lastSeen"])
            try db.create(table: "cameraStatus") { t in
                t.primaryKey("cameraID", .text)
                t.column("state", .text).notNull()
                t.column("lastError", .text)
                t.column("framesDecoded", .integer).notNull()
                t.column("framesAnalysed", .integer).notNull()
                t.column("framesDropped", .integer).notNull()
                t.column("motionSkipped", .integer).notNull()
                t.column("reconnects", .integer).notNull()
                t.column("updatedAt", .datetime).notNull()
            }
        }
        migrator.registerMigration("v3-hooks") { db in
            // The outbox: one row per (event, hook), written in the alert's transaction, so an
            // alert is never committed without its deliveries nor a delivery without its alert.
            try db.create(table: "delivery") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("eventID", .text).notNull().unique()
                t.column("hook", .text).notNull()
                t.column("type", .text).notNull()
                t.column("alertID", .integer)
                t.column("payload", .text).notNull()
                t.column("state", .text).notNull().check { ["pending", "delivered", "dead"].contains($0) }
                t.column("attempts", .integer).notNull().defaults(to: 0)
                t.column("createdAt", .datetime).notNull()
                t.column("scheduledAt", .datetime).notNull()
                t.column("nextAttemptAt", .datetime).notNull()
                t.column("lastAttemptAt", .datetime)
                t.column("deliveredAt", .datetime)
                t.column("lastStatus", .integer)
                t.column("lastError", .text)
                t.column("lastResponse", .text)
            }
            try db.create(index: "delivery_queue", on: "delivery", columns: ["hook", "state", "id"])
            try db.create(index: "delivery_state", on: "delivery", columns: ["state", "createdAt"])
        }
        migrator.registerMigration("v4-operator") { db in
            // API tokens: only a SHA-256 of each token is stored; the token itself is shown once.
            try db.create(table: "apiToken") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("name", .text).notNull().unique()
                t.column("role", .text).notNull().check { ["viewer", "operator", "admin"].contains($0) }
                t.column("tokenSHA256", .text).notNull().unique()
                t.column("prefix", .text).notNull()
                t.column("createdAt", .datetime).notNull()
                t.column("createdBy", .text).notNull()
                t.column("lastUsedAt", .datetime)
                t.column("revokedAt", .datetime)
            }
            // Operator review of an alert, kept on the alert (who, when, what they said).
            try db.alter(table: "alert") { t in
                t.add(column: "acknowledgedAt", .datetime)
                t.add(column: "acknowledgedBy", .text)
                t.add(column: "verdict", .text).check { $0 == nil || ["confirmed", "rejected"].contains($0) }
                t.add(column: "verdictComment", .text)
                t.add(column: "verdictBy", .text)
                t.add(column: "verdictAt", .datetime)
            }
            // Every change to an alert, in commit order: the live stream's resumable sequence.
            try db.create(table: "alertEvent") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("alertID", .integer).notNull()
                t.column("type", .text).notNull()
                t.column("at", .datetime).notNull()
            }
        }
        migrator.registerMigration("v5-plates") { db in
            // Plate watchlists: deny-lists alert, allow-lists never do; reads may differ from an
            // entry by `maxEdits` edits; `region` decides which plate formats entries must fit.
            try db.alter(table: "watchlist") { t in
                t.add(column: "mode", .text).notNull().defaults(to: "deny").check { ["deny", "allow"].contains($0) }
                t.add(column: "maxEdits", .integer).notNull().defaults(to: 1).check { $0 >= 0 && $0 <= 3 }
                t.add(column: "region", .text).notNull().defaults(to: "any")
            }
            try db.create(table: "plateEntry") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("watchlist", onDelete: .cascade).notNull()
                t.column("plate", .text).notNull()
                t.column("label", .text)
                t.column("createdAt", .datetime).notNull()
                t.uniqueKey(["watchlistId", "plate"])
            }
            // A plate alert's own evidence: the (voted) read and the OCR confidence behind it.
            try db.alter(table: "alert") { t in
                t.add(column: "plateText", .text)
                t.add(column: "plateConfidence", .double)
            }
        }
        migrator.registerMigration("v6-crime") { db in
            // Crime incidents from exports and the API; (source, sourceID) identifies a report.
            try db.create(table: "incident") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("source", .text).notNull()
                t.column("sourceID", .text).notNull()
                t.column("occurredAt", .datetime).notNull()
                t.column("latitude", .double).notNull()
                t.column("longitude", .double).notNull()
                t.column("area", .text)
                t.column("category", .text)
                t.column("code", .text)
                t.column("premise", .text)
                t.column("weapon", .text)
                t.column("victimAge", .integer)
                t.column("victimSex", .text)
                t.column("victimDescent", .text)
                t.column("domestic", .boolean)
                t.column("severity", .text).check { $0 == nil || ["serious", "other"].contains($0) }
                t.column("arrest", .boolean)
                t.column("importedAt", .datetime).notNull()
                t.column("outcomeAt", .datetime)
                t.uniqueKey(["source", "sourceID"])
            }
            try db.create(index: "incident_time", on: "incident", columns: ["occurredAt"])
            // The model registry: every training run, with what it was trained on and how it scored.
            try db.create(table: "crimeModel") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("task", .text).notNull()
                t.column("version", .integer).notNull()
                t.column("algorithm", .text).notNull()
                t.column("stage", .text).notNull().check { ["staging", "production", "archived"].contains($0) }
                t.column("dataHash", .text).notNull()
                t.column("rows", .integer).notNull()
                t.column("parameters", .text).notNull()
                t.column("metrics", .text).notNull()
                t.column("encoder", .text).notNull()
                t.column("model", .blob).notNull()
                t.column("leakage", .boolean).notNull()
                t.column("trainedThrough", .datetime).notNull()
                t.column("createdAt", .datetime).notNull()
                t.column("createdBy", .text).notNull()
                t.column("codeVersion", .text).notNull()
                t.column("promotedAt", .datetime)
                t.uniqueKey(["task", "version"])
            }
            // At most one production model per task, whatever path changed the stage.
            try db.execute(sql: "CREATE UNIQUE INDEX crimeModel_production ON crimeModel(task) WHERE stage = 'production'")
            try db.create(table: "crimeModelEvent") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("crimeModel", onDelete: .cascade).notNull()
                t.column("action", .text).notNull()
                t.column("actor", .text).notNull()
                t.column("at", .datetime).notNull()
                t.column("note", .text)
            }
            // Drift checks: population stability per feature between a model's training data and recent incidents.
            try db.create(table: "crimeDrift") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("crimeModel", onDelete: .cascade).notNull()
                t.column("at", .datetime).notNull()
                t.column("recent", .integer).notNull()
                t.column("threshold", .double).notNull()
                t.column("maxPSI", .double).notNull()
                t.column("features", .text).notNull()
                t.column("alerted", .boolean).notNull()
            }
        }
        // Per-camera cost accounting: CPU milliseconds per second by stage, frames handled per
        // second, and whether the node is over capacity (all as the daemon last reported them).
        migrator.registerMigration("v7-camera-costs") { db in
            try db.alter(table: "cameraStatus") { t in
                for stage in ["Decode", "Motion", "Detect", "Track", "Encode", "Plates"] {
                    t.add(column: "cpu\(stage)", .double).notNull().defaults(to: 0)
                }
                t.add(column: "handledFPS", .double).notNull().defaults(to: 0)
                t.add(column: "detectFPS", .double).notNull().defaults(to: 0)
                t.add(column: "overCapacity", .boolean).notNull().defaults(to: false)
            }
        }
        // Alerts are committed even when their evidence files could not be written; this says why.
        migrator.registerMigration("v8-evidence-missing") { db in
            try db.alter(table: "alert") { t in t.add(column: "evidenceMissing", .text) }
        }
        // Case records: an investigation tying people, vehicles, alerts and incidents together, with
        // an append-only journal (notes and attachments) whose entries are hash-chained per case.
        migrator.registerMigration("v9-cases") { db in
            try db.create(table: "caseRecord") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("title", .text).notNull()
                t.column("type", .text).notNull()
                t.column("status", .text).notNull().check { ["open", "investigating", "closed"].contains($0) }
                t.column("assignee", .text)
                t.column("area", .text)
                t.column("createdAt", .datetime).notNull()
                t.column("createdBy", .text).notNull()
                t.column("updatedAt", .datetime).notNull()
                t.column("closedAt", .datetime)
            }
            try db.create(index: "caseRecord_createdAt", on: "caseRecord", columns: ["createdAt"])
            // People (by watchlist subject id) and vehicles (by normalised plate) on a case.
            try db.create(table: "caseParty") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("caseRecord", onDelete: .cascade).notNull()
                t.column("kind", .text).notNull().check { ["person", "vehicle"].contains($0) }
                t.column("reference", .text).notNull()
                t.column("name", .text)
                t.column("addedAt", .datetime).notNull()
                t.column("addedBy", .text).notNull()
                t.uniqueKey(["caseRecordId", "kind", "reference"])
            }
            try db.create(table: "caseAlert") { t in
                t.belongsTo("caseRecord", onDelete: .cascade).notNull()
                t.belongsTo("alert", onDelete: .restrict).notNull()
                t.column("linkedAt", .datetime).notNull()
                t.column("linkedBy", .text).notNull()
                t.primaryKey(["caseRecordId", "alertId"])
            }
            try db.create(table: "caseIncident") { t in
                t.belongsTo("caseRecord", onDelete: .cascade).notNull()
                t.belongsTo("incident", onDelete: .restrict).notNull()
                t.column("linkedAt", .datetime).notNull()
                t.column("linkedBy", .text).notNull()
                t.primaryKey(["caseRecordId", "incidentId"])
            }
            try db.create(table: "caseEntry") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("caseRecord", onDelete: .cascade).notNull()
                t.column("seq", .integer).notNull()
                t.column("kind", .text).notNull().check { ["note", "attachment"].contains($0) }
                t.column("author", .text).notNull()
                t.column("atMillis", .integer).notNull()
                t.column("body", .text).notNull()
                t.column("fileName", .text)
                t.column("fileSHA256", .text)
                t.column("fileSize", .integer)
                t.column("previousHash", .text).notNull()
                t.column("hash", .text).notNull()
                t.uniqueKey(["caseRecordId", "seq"])
            }
            // A role between viewer and operator that may read cases: the CHECK constraint is
            // rebuilt (SQLite cannot alter one), keeping every token.
            try db.create(table: "apiToken_v9") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("name", .text).notNull().unique()
                t.column("role", .text).notNull().check { ["viewer", "case_viewer", "operator", "admin"].contains($0) }
                t.column("tokenSHA256", .text).notNull().unique()
                t.column("prefix", .text).notNull()
                t.column("createdAt", .datetime).notNull()
                t.column("createdBy", .text).notNull()
                t.column("lastUsedAt", .datetime)
                t.column("revokedAt", .datetime)
            }
            let columns = "id, name, role, tokenSHA256, prefix, createdAt, createdBy, lastUsedAt, revokedAt"
            try db.execute(sql: "INSERT INTO apiToken_v9 (\(columns)) SELECT \(columns) FROM apiToken")
            try db.drop(table: "apiToken")
            try db.rename(table: "apiToken_v9", to: "apiToken")
            // Written once: the database itself refuses edits, and deletes unless the case is being deleted.
            try db.execute(sql: """
                CREATE TRIGGER caseEntry_append_only BEFORE UPDATE ON caseEntry
                BEGIN SELECT RAISE(ABORT, 'case notes and attachments cannot be changed'); END;
                CREATE TRIGGER caseEntry_kept BEFORE DELETE ON caseEntry
                WHEN EXISTS (SELECT 1 FROM caseRecord WHERE id = OLD.caseRecordId)
                BEGIN SELECT RAISE(ABORT, 'case notes and attachments cannot be deleted'); END;
                """)
        }
        // Behaviour alerts (people in zones, on lines) share the alert table with faces and plates;
        // these say which rule fired, where, and the facts behind it. People detection's CPU time too.
        migrator.registerMigration("v10-behaviour") { db in
            try db.alter(table: "alert") { t in
                t.add(column: "rule", .text)
                t.add(column: "zone", .text)
                t.add(column: "line", .text)
                t.add(column: "dwellSeconds", .double)
                t.add(column: "direction", .text)
                t.add(column: "peopleCount", .integer)
                t.add(column: "path", .text)
            }
            try db.alter(table: "cameraStatus") { t in t.add(column: "cpuPeople", .double).notNull().defaults(to: 0) }
        }
        // How far the node stretches every camera's detection interval to keep them all in real time
        // (1 = not at all): what "over capacity" costs, as a number an operator can size a node by.
        migrator.registerMigration("v11-detect-stretch") { db in
            try db.alter(table: "cameraStatus") { t in t.add(column: "detectStretch", .double).notNull().defaults(to: 1) }
        }
        return migrator
    }
}
