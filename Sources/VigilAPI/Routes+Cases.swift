import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import VigilCharts
import VigilCore
import VigilStore

/// Case records. Reading needs `case_viewer` (cases are confidential: a wall display's viewer
/// token does not see them); working on cases needs `operator`; deleting one needs `admin`.
extension Routes {
    func addCases(_ group: RouterGroup<APIContext>) {
        group.get("cases") { request, context -> [CaseView] in
            try context.require(.caseViewer)
            let search = try caseSearch(request)
            return try await store.run { try $0.searchCases(search) }.map(CaseView.init)
        }
        group.post("cases") { request, context -> Response in
            try context.require(.operator)
            let input = try await request.decode(as: CaseInput.self, context: context)
            let fields = try Self.caseFields(input)
            let actor = context.actor
            let record = try await store.run { db in
                try input.alert.map { try db.openCase(fromAlert: $0, fields, actor: actor) } ?? db.createCase(fields, actor: actor)
            }
            var response = try context.responseEncoder.encode(CaseView(record), from: request, context: context)
            response.status = .created
            return response
        }
        group.get("cases/stats") { request, context -> Response in
            try context.require(.caseViewer)
            let statistics = try await caseStatistics(request)
            switch request.uri.queryParameters.get("format") ?? "json" {
            case "json": return try context.responseEncoder.encode(statistics.rows, from: request, context: context)
            case "csv": return Self.json(Data(statistics.csv().utf8), type: "text/csv; charset=utf-8")
            case let other: throw HTTPError(.badRequest, message: "format '\(other)': expected json or csv")
            }
        }
        group.get("cases/stats.png") { request, context -> Response in
            try context.require(.caseViewer)
            let statistics = try await caseStatistics(request)
            guard !statistics.rows.isEmpty else { throw HTTPError(.notFound, message: "no cases or alerts in that time to draw") }
            let png = try await Blocking.run(throwing: { () throws -> Data in
                let path = NSTemporaryDirectory() + "vigil-case-chart-\(UUID().uuidString).png"
                defer { try? FileManager.default.removeItem(atPath: path) }
                let (periods, groups, values) = statistics.matrix()
                try BarChart.write(path: path, title: "Cases per \(statistics.period.rawValue), by \(statistics.grouping.rawValue)",
                                   periods: periods, groups: groups, values: values, yLabel: "cases opened")
                guard let data = FileManager.default.contents(atPath: path) else { throw HTTPError(.internalServerError) }
                return data
            })
            return Response(status: .ok, headers: [.contentType: "image/png", .cacheControl: "no-store"],
                            body: .init(byteBuffer: ByteBuffer(bytes: png)))
        }
        group.get("cases/:id") { _, context -> CaseFileView in
            try context.require(.caseViewer)
            let id = try context.parameters.require("id", as: Int64.self)
            return CaseFileView(try await store.run { try $0.caseFile(id) })
        }
        group.patch("cases/:id") { request, context -> CaseView in
            try context.require(.operator)
            let id = try context.parameters.require("id", as: Int64.self)
            let input = try await request.decode(as: CaseInput.self, context: context)
            guard input.alert == nil else { throw HTTPError(.badRequest, message: "alert: link alerts with POST /v1/cases/\(id)/links") }
            let fields = try Self.caseFields(input)
            let actor = context.actor
            return CaseView(try await store.run { try $0.updateCase(id, fields, actor: actor) })
        }
        group.delete("cases/:id") { _, context -> Response in
            try context.require(.admin)
            let id = try context.parameters.require("id", as: Int64.self)
            let actor = context.actor
            _ = try await store.run { try $0.deleteCase(id, actor: actor) }
            return Response(status: .noContent)
        }
        group.post("cases/:id/notes") { request, context -> CaseEntryView in
            try context.require(.operator)
            let id = try context.parameters.require("id", as: Int64.self)
            let input = try await request.decode(as: CaseNoteInput.self, context: context)
            let actor = context.actor
            return CaseEntryView(try await store.run { try $0.addCaseNote(id, text: input.text, actor: actor) })
        }
        group.post("cases/:id/attachments") { request, context -> CaseEntryView in
            try context.require(.operator)
            let id = try context.parameters.require("id", as: Int64.self)
            guard let name = request.uri.queryParameters.get("name") else {
                throw HTTPError(.badRequest, message: "name: the attachment's file name is required (?name=statement.pdf)")
            }
            let description = request.uri.queryParameters.get("description") ?? ""
            let limit = context.maxUploadSize
            let body: ByteBuffer
            do { body = try await request.body.collect(upTo: limit) } catch {
                throw HTTPError(.contentTooLarge, message: "attachment over the limit of \(limit) bytes")
            }
            let actor = context.actor
            return CaseEntryView(try await store.run {
                try $0.attachToCase(id, data: Data(buffer: body), name: name, description: description, limit: limit, actor: actor)
            })
        }
        group.get("cases/:id/attachments/:seq") { _, context -> Response in
            try context.require(.caseViewer)
            let id = try context.parameters.require("id", as: Int64.self)
            let seq = try context.parameters.require("seq", as: Int.self)
            let entry = try await store.run { try $0.caseEntry(id, seq: seq) }
            guard let entry, entry.kind == .attachment, let sha = entry.fileSHA256 else {
                throw HTTPError(.notFound, message: "case \(id) has no attachment \(seq)")
            }
            guard let data = try await store.run({ try $0.caseAttachment(sha256: sha) }) else {
                throw HTTPError(.notFound, message: "case \(id) attachment \(seq): the file is missing (see vigil cases verify)")
            }
            let safeName = (entry.fileName ?? "attachment").unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && $0 != "\"" && $0 != "\\" ? String($0) : "_" }.joined()
            return Response(status: .ok, headers: [.contentType: "application/octet-stream", .cacheControl: "no-store",
                                                   .contentDisposition: "attachment; filename=\"\(safeName)\"",
                                                   HTTPField.Name("X-Content-SHA256")!: sha],
                            body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        group.post("cases/:id/links") { request, context -> CaseFileView in
            try context.require(.operator)
            let id = try context.parameters.require("id", as: Int64.self)
            let input = try await request.decode(as: CaseLinksInput.self, context: context)
            let links = CaseLinks(alerts: input.alerts ?? [], incidents: input.incidents ?? [],
                                  people: (input.people ?? []).map { CaseLinks.Person(subjectID: $0.subjectId, name: $0.name) },
                                  vehicles: input.vehicles ?? [])
            guard !links.isEmpty else { throw HTTPError(.badRequest, message: "name something to link: alerts, incidents, people or vehicles") }
            let actor = context.actor
            return CaseFileView(try await store.run { db in
                try db.linkToCase(id, links, actor: actor)
                return try db.caseFile(id)
            })
        }
        group.get("cases/:id/verify") { _, context -> CaseVerificationView in
            try context.require(.caseViewer)
            let id = try context.parameters.require("id", as: Int64.self)
            let result = try await store.run { try $0.verifyCases(id) }.first!
            return CaseVerificationView(case: result.caseID, entries: result.entries, intact: result.problems.isEmpty, problems: result.problems)
        }
    }

    private func caseSearch(_ request: Request) throws -> CaseSearch {
        let q = request.uri.queryParameters
        var search = CaseSearch()
        search.id = try Query.int64(request, "id")
        search.text = q.get("text")
        search.plate = q.get("plate")
        search.camera = q.get("camera")
        search.area = q.get("area")
        search.from = try Query.date(request, "since")
        search.to = try Query.date(request, "until")
        search.type = q.get("type")
        search.status = try q.get("status").map(Self.caseStatus)
        search.limit = try Query.limit(request)
        return search
    }

    private func caseStatistics(_ request: Request) async throws -> CaseStatistics {
        let q = request.uri.queryParameters
        let period = try q.get("period").map { text -> CaseStatistics.Period in
            guard let value = CaseStatistics.Period(rawValue: text) else { throw HTTPError(.badRequest, message: "period '\(text)': expected day, week or month") }
            return value
        } ?? .month
        let grouping = try q.get("by").map { text -> CaseStatistics.Grouping in
            guard let value = CaseStatistics.Grouping(rawValue: text) else { throw HTTPError(.badRequest, message: "by '\(text)': expected type, status or camera") }
            return value
        } ?? .type
        let from = try Query.date(request, "since"), to = try Query.date(request, "until")
        return try await store.run { try $0.caseStatistics(period: period, grouping: grouping, from: from, to: to) }
    }

    private static func caseStatus(_ text: String) throws -> CaseStatus {
        guard let status = CaseStatus(rawValue: text) else {
            throw HTTPError(.badRequest, message: "status '\(text)': expected open, investigating or closed")
        }
        return status
    }

    private static func caseFields(_ input: CaseInput) throws -> CaseFields {
        CaseFields(title: input.title, type: input.type, status: try input.status.map(caseStatus), assignee: input.assignee, area: input.area)
    }
}
