import Foundation
import Testing
import VigilCore
import VigilStore
import VigilTestSupport

/// Crime incidents, the model registry and drift checks, the same assertions on every backend.
/// The records are made here (no training): what is checked is what the store keeps and refuses.
@Suite struct CrimeStoreTests {
    static let day = Date(timeIntervalSince1970: 1_790_000_000)

    static func incident(_ id: String, source: String = "lapd", daysAfter days: Double, arrest: Bool? = nil) -> Incident {
        Incident(source: source, sourceID: id, occurredAt: day.addingTimeInterval(days * 86_400), latitude: 34.05 + days / 1000,
                 longitude: -118.25, area: "Central", category: "BURGLARY", code: "310", premise: "STREET", weapon: nil,
                 victimAge: 34, victimSex: "F", victimDescent: "H", domestic: false, severity: "serious", arrest: arrest,
                 importedAt: day.addingTimeInterval(40 * 86_400))
    }

    static func model(task: String = "severity", leakage: Bool = false, bytes: Int = 3_000) -> CrimeModelRecord {
        CrimeModelRecord(task: task, algorithm: "xgboost", dataHash: String(repeating: "ab", count: 32), rows: 1200,
                         parameters: #"{"depth":6}"#, metrics: #"{"macro_f1":0.71}"#, encoder: #"{"area":["Central"]}"#,
                         model: Data((0..<bytes).map { UInt8($0 % 251) }), leakage: leakage, trainedThrough: day.addingTimeInterval(30 * 86_400),
                         createdBy: "cli:analyst", codeVersion: "test", createdAt: day.addingTimeInterval(41 * 86_400))
    }

    @Test(arguments: Backend.available)
    func incidentsImportOnceTakeOutcomesAndAreQueriedByWindow(_ backend: Backend) async throws {
        try await backend.withStore { db, another in
            let first = try db.importIncidents([Self.incident("a", daysAfter: 1), Self.incident("b", daysAfter: 2), Self.incident("c", daysAfter: 3)])
            #expect(first.stored == 3 && first.alreadyStored.isEmpty)
            let again = try db.importIncidents([Self.incident("b", daysAfter: 2), Self.incident("d", daysAfter: 4)])
            #expect(again.stored == 1 && again.alreadyStored == ["b"])
            #expect(throws: StoreError.incidentExists(source: "lapd", id: "a")) { try db.recordIncident(Self.incident("a", daysAfter: 9)) }
            let api = try db.recordIncident(Self.incident("a", source: "api", daysAfter: 5))
            #expect(api.id != nil)

            let other = try await another()
            #expect(try other.incidentCount() == 5)
            let stored = try other.incidents()
            let ids = stored.compactMap(\.id)
            #expect(stored.map(\.sourceID) == ["a", "b", "c", "d", "a"] && ids == ids.sorted() && ids.count == 5)
            var expected = Self.incident("b", daysAfter: 2)
            expected.id = stored[1].id
            #expect(stored[1] == expected, "every field comes back as it was stored")
            #expect(try other.incidents(source: "api").map(\.sourceID) == ["a"])
            #expect(try other.incidents(occurredFrom: Self.day.addingTimeInterval(2 * 86_400), occurredBefore: Self.day.addingTimeInterval(4 * 86_400))
                        .map(\.sourceID) == ["b", "c"])
            #expect(try other.incidents(limit: 2).map(\.sourceID) == ["a", "b"])
            #expect(try other.incidents(occurredAfter: Self.day.addingTimeInterval(2.5 * 86_400), limit: 2).map(\.sourceID) == ["a", "d"])

            let outcome = Self.day.addingTimeInterval(50 * 86_400)
            let solved = try other.recordOutcome(source: "lapd", sourceID: "c", arrest: true, severity: "other", at: outcome)
            #expect(solved.arrest == true && solved.severity == "other" && solved.outcomeAt == outcome)
            #expect(try db.incidents(source: "lapd").first { $0.sourceID == "c" } == solved)
            #expect(throws: StoreError.incidentNotFound(source: "lapd", id: "zz")) {
                try db.recordOutcome(source: "lapd", sourceID: "zz", arrest: true, severity: nil)
            }
        }
    }

    @Test(arguments: Backend.available)
    func theRegistryVersionsPromotesArchivesAndRestoresWithItsHistory(_ backend: Backend) async throws {
        try await backend.withStore { db, another in
            let v1 = try db.registerModel(Self.model())
            let v2 = try db.registerModel(Self.model(bytes: 5_000))
            let leak = try db.registerModel(Self.model(leakage: true))
            let arrest = try db.registerModel(Self.model(task: "arrest"))
            let versions: [Int] = [v1.version, v2.version, leak.version, arrest.version]
            #expect(versions == [1, 2, 3, 1])
            #expect([v1, v2, leak, arrest].allSatisfy { $0.stage == .staging && $0.id != nil })
            let other = try await another()
            #expect(try other.crimeModel(id: v2.id!) == v2, "the model's bytes and every field come back as stored")
            #expect(try other.crimeModels().map { "\($0.task) v\($0.version)" } == ["arrest v1", "severity v3", "severity v2", "severity v1"])
            #expect(try other.crimeModels(task: "arrest").map(\.id) == [arrest.id])
            let noProduction = try other.productionModel(task: "severity") == nil && other.productionModelID(task: "severity") == nil
            #expect(noProduction)

            let at = Self.day.addingTimeInterval(42 * 86_400)
            try db.promoteModel(id: v1.id!, actor: "cli:analyst", note: "first", at: at)
            let promoted = try db.promoteModel(id: v2.id!, actor: "cli:analyst", at: at.addingTimeInterval(60))
            #expect(promoted.stage == .production && promoted.promotedAt == at.addingTimeInterval(60))
            let replaced = try other.productionModelID(task: "severity") == v2.id && other.crimeModel(id: v1.id!).stage == .archived
            #expect(replaced)
            #expect(throws: StoreError.stageChange(model: v2.id!, reason: "already in production")) {
                try db.promoteModel(id: v2.id!, actor: "x")
            }
            #expect(throws: StoreError.self) { try db.promoteModel(id: leak.id!, actor: "x") }
            #expect(throws: StoreError.modelNotFound(999)) { try db.promoteModel(id: 999, actor: "x") }

            // Demoting production rolls back to the model in production before it.
            let (demoted, restored) = try other.demoteModel(id: v2.id!, actor: "cli:lead", note: "bad week", at: at.addingTimeInterval(120))
            #expect(demoted.stage == .archived && restored?.id == v1.id && restored?.stage == .production)
            #expect(try db.productionModel(task: "severity")?.id == v1.id)
            #expect(throws: StoreError.stageChange(model: v2.id!, reason: "already archived")) { try db.demoteModel(id: v2.id!, actor: "x") }
            #expect(try db.crimeModelEvents(model: v1.id!).map { "\($0.action) \($0.actor) \($0.note ?? "")" }
                        == ["registered cli:analyst ", "promoted cli:analyst first", "archived cli:analyst replaced by version 2",
                            "restored cli:lead version 2 demoted"])
            #expect(try db.crimeModelEvents(model: v2.id!).map(\.action) == ["registered", "promoted", "demoted"])
        }
    }

    @Test(arguments: Backend.available)
    func aDriftAlertCommitsOneDeliveryPerAcceptingHook(_ backend: Backend) async throws {
        try await backend.withStore { db, _ in
            let model = try db.registerModel(Self.model())
            let routes = [OutboxRoute(hook: "siem", filter: HookFilter()),
                          OutboxRoute(hook: "faces-only", filter: HookFilter(kinds: ["face"])),
                          OutboxRoute(hook: "drift-desk", filter: HookFilter(events: ["crime.drift"]))]
            let quiet = try db.recordDrift(CrimeDriftRecord(crimeModelId: model.id!, at: Self.day, recent: 400, threshold: 0.2, maxPSI: 0.05,
                                                            features: #"{"area":0.05}"#, alerted: false), model: model, routes: routes)
            let none = try db.deliveries().isEmpty
            #expect(quiet.id != nil && none)
            let alert = try db.recordDrift(CrimeDriftRecord(crimeModelId: model.id!, at: Self.day, recent: 400, threshold: 0.2, maxPSI: 0.41,
                                                            features: #"{"area":0.41,"hour":0.1}"#, alerted: true), model: model, routes: routes)
            #expect(alert.id! > quiet.id!)
            let deliveries = try db.deliveries()
            #expect(Set(deliveries.map(\.hook)) == ["siem", "drift-desk"] && deliveries.allSatisfy { $0.type == "crime.drift" && $0.state == .pending })
            let payload = try #require(deliveries.first?.payload)
            #expect(payload.contains("\"task\":\"severity\"") && payload.contains("PSI 0.410 > 0.2"), "\(payload)")
            #expect(try db.nextDeliveries(hook: "siem", limit: 10).count == 1)
        }
    }
}
