import Foundation
import PostgresNIO
import VigilCore

/// Crime incidents, the model registry and drift checks in PostgreSQL (migration `store-4-crime`).
extension PostgresRows {
    static let incidentColumns = """
        id, source, sourceID, occurredAt, latitude, longitude, area, category, code, premise, weapon, victimAge,
        victimSex, victimDescent, domestic, severity, arrest, importedAt, outcomeAt
        """

    func incidentRecords(_ query: PostgresQuery) throws -> [Incident] {
        try rows(query).map { row in
            var cells = CellReader(row)
            return Incident(id: try cells.next(), source: try cells.next(), sourceID: try cells.next(), occurredAt: try cells.next(),
                            latitude: try cells.next(), longitude: try cells.next(), area: try cells.next(), category: try cells.next(),
                            code: try cells.next(), premise: try cells.next(), weapon: try cells.next(), victimAge: try cells.next(),
                            victimSex: try cells.next(), victimDescent: try cells.next(), domestic: try cells.next(),
                            severity: try cells.next(), arrest: try cells.next(), importedAt: try cells.next(), outcomeAt: try cells.next())
        }
    }

    func incident(source: String, sourceID: String) throws -> Incident? {
        try incidentRecords("SELECT \(unescaped: Self.incidentColumns) FROM incident WHERE source = \(source) AND sourceID = \(sourceID)").first
    }

    func insert(_ incident: inout Incident) throws {
        let i = incident
        incident.id = try id("""
            INSERT INTO incident (source, sourceID, occurredAt, latitude, longitude, area, category, code, premise, weapon, victimAge,
                                  victimSex, victimDescent, domestic, severity, arrest, importedAt, outcomeAt)
            VALUES (\(i.source), \(i.sourceID), \(i.occurredAt), \(i.latitude), \(i.longitude), \(i.area), \(i.category), \(i.code),
                    \(i.premise), \(i.weapon), \(i.victimAge), \(i.victimSex), \(i.victimDescent), \(i.domestic), \(i.severity),
                    \(i.arrest), \(i.importedAt), \(i.outcomeAt))
            RETURNING id
            """)
    }

    /// Outcome feedback changes the labels and when they were reported; nothing else of a report changes.
    func update(_ incident: Incident) throws {
        try execute("""
            UPDATE incident SET severity = \(incident.severity), arrest = \(incident.arrest), outcomeAt = \(incident.outcomeAt)
             WHERE id = \(incident.id)
            """)
    }

    func incidents(source: String?, occurredFrom: Date?, occurredBefore: Date?, limit: Int?) throws -> [Incident] {
        try incidentRecords("""
            SELECT \(unescaped: Self.incidentColumns) FROM incident
             WHERE (\(source)::text IS NULL OR source = \(source))
               AND (\(occurredFrom)::timestamptz IS NULL OR occurredAt >= \(occurredFrom))
               AND (\(occurredBefore)::timestamptz IS NULL OR occurredAt < \(occurredBefore))
             ORDER BY id LIMIT \(limit.map(Int64.init))
            """)
    }

    func incidents(occurredAfter date: Date, limit: Int) throws -> [Incident] {
        try incidentRecords("""
            SELECT \(unescaped: Self.incidentColumns) FROM incident WHERE occurredAt > \(date) ORDER BY occurredAt DESC LIMIT \(limit)
            """)
    }

    func incidentCount() throws -> Int { try count("SELECT count(*)::int8 FROM incident") }

    // MARK: Model registry

    private static let modelColumns = """
        id, task, version, algorithm, stage, dataHash, rows, parameters, metrics, encoder, model, leakage, trainedThrough,
        createdAt, createdBy, codeVersion, promotedAt
        """

    private func modelRecords(_ query: PostgresQuery) throws -> [CrimeModelRecord] {
        try rows(query).map { row in
            var cells = CellReader(row)
            let id: Int64 = try cells.next(), task: String = try cells.next(), version: Int = try cells.next()
            let algorithm: String = try cells.next(), stage: String = try cells.next()
            guard let stage = CrimeModelRecord.Stage(rawValue: stage) else {
                throw StoreError.database(path: "PostgreSQL", reason: "crime model \(id) has an unknown stage \(stage)")
            }
            var record = CrimeModelRecord(task: task, algorithm: algorithm, dataHash: try cells.next(), rows: try cells.next(),
                                          parameters: try cells.next(), metrics: try cells.next(), encoder: try cells.next(),
                                          model: try cells.next(), leakage: try cells.next(), trainedThrough: try cells.next(),
                                          createdBy: "", codeVersion: "")
            record.createdAt = try cells.next()
            record.createdBy = try cells.next()
            record.codeVersion = try cells.next()
            record.promotedAt = try cells.next()
            record.id = id
            record.version = version
            record.stage = stage
            return record
        }
    }

    func lastModelVersion(task: String) throws -> Int {
        try count("SELECT coalesce(max(version), 0)::int8 FROM crimeModel WHERE task = \(task)")
    }

    func insert(_ model: inout CrimeModelRecord) throws {
        let m = model
        model.id = try id("""
            INSERT INTO crimeModel (task, version, algorithm, stage, dataHash, rows, parameters, metrics, encoder, model, leakage,
                                    trainedThrough, createdAt, createdBy, codeVersion, promotedAt)
            VALUES (\(m.task), \(m.version), \(m.algorithm), \(m.stage.rawValue), \(m.dataHash), \(m.rows), \(m.parameters), \(m.metrics),
                    \(m.encoder), \(m.model), \(m.leakage), \(m.trainedThrough), \(m.createdAt), \(m.createdBy), \(m.codeVersion),
                    \(m.promotedAt))
            RETURNING id
            """)
    }

    func updateStage(_ model: CrimeModelRecord) throws {
        try execute("UPDATE crimeModel SET stage = \(model.stage.rawValue), promotedAt = \(model.promotedAt) WHERE id = \(model.id)")
    }

    func crimeModels(task: String?) throws -> [CrimeModelRecord] {
        try modelRecords("""
            SELECT \(unescaped: Self.modelColumns) FROM crimeModel WHERE (\(task)::text IS NULL OR task = \(task))
             ORDER BY task COLLATE "C", version DESC
            """)
    }

    func crimeModel(id: Int64) throws -> CrimeModelRecord? {
        try modelRecords("SELECT \(unescaped: Self.modelColumns) FROM crimeModel WHERE id = \(id)").first
    }

    func productionModel(task: String) throws -> CrimeModelRecord? {
        try modelRecords("SELECT \(unescaped: Self.modelColumns) FROM crimeModel WHERE task = \(task) AND stage = 'production'").first
    }

    func productionModelID(task: String) throws -> Int64? {
        try rows("SELECT id FROM crimeModel WHERE task = \(task) AND stage = 'production'").first.map { try $0.decode(Int64.self) }
    }

    func previouslyPromoted(task: String, excluding id: Int64) throws -> CrimeModelRecord? {
        try modelRecords("""
            SELECT \(unescaped: Self.modelColumns) FROM crimeModel
             WHERE task = \(task) AND id <> \(id) AND promotedAt IS NOT NULL AND NOT leakage
             ORDER BY promotedAt DESC LIMIT 1
            """).first
    }

    func insert(_ event: inout CrimeModelEvent) throws {
        event.id = try id("""
            INSERT INTO crimeModelEvent (crimeModelId, action, actor, at, note)
            VALUES (\(event.crimeModelId), \(event.action), \(event.actor), \(event.at), \(event.note))
            RETURNING id
            """)
    }

    func crimeModelEvents(model id: Int64) throws -> [CrimeModelEvent] {
        try rows("SELECT id, crimeModelId, action, actor, at, note FROM crimeModelEvent WHERE crimeModelId = \(id) ORDER BY id").map { row in
            let (id, model, action, actor, at, note) = try row.decode((Int64, Int64, String, String, Date, String?).self)
            return CrimeModelEvent(id: id, crimeModelId: model, action: action, actor: actor, at: at, note: note)
        }
    }

    func insert(_ drift: inout CrimeDriftRecord) throws {
        let d = drift
        drift.id = try id("""
            INSERT INTO crimeDrift (crimeModelId, at, recent, threshold, maxPSI, features, alerted)
            VALUES (\(d.crimeModelId), \(d.at), \(d.recent), \(d.threshold), \(d.maxPSI), \(d.features), \(d.alerted))
            RETURNING id
            """)
    }
}
