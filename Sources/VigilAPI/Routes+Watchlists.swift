import Crypto
import Foundation
import VigilCore
import Hummingbird
import VigilPlates
import VigilStore

extension Routes {
    struct NewWatchlist: Decodable {
        var name: String
        var kind: String?
        var threshold: Double?
        var mode: String?
        var maxEdits: Int?
        var region: String?
    }

    struct NewPlate: Decodable { var plate: String; var label: String? }

    func addWatchlists(_ group: RouterGroup<APIContext>) {
        group.get("watchlists") { _, context -> [WatchlistSummary] in
            try context.require(.viewer)
            return try await store.run { try $0.watchlists() }
        }
        group.post("watchlists") { request, context -> EditedResponse<WatchlistSummary> in
            try context.require(.operator)
            let input = try await request.decode(as: NewWatchlist.self, context: context)
            let actor = context.actor
            // Plate fields are checked whatever the kind: a bad value is an error, not silently ignored.
            guard PlateListMode(rawValue: input.mode ?? "deny") != nil else { throw HTTPError(.badRequest, message: "mode: expected deny or allow") }
            guard (0...3).contains(input.maxEdits ?? 1) else { throw HTTPError(.badRequest, message: "max_edits: expected 0-3") }
            guard PlateRegion.builtIn[input.region ?? "any"] != nil else {
                throw HTTPError(.badRequest, message: "region: expected \(PlateRegion.builtIn.keys.sorted().joined(separator: ", "))")
            }
            let created: WatchlistSummary
            switch input.kind ?? "face" {
            case "face":
                created = try await store.run { try $0.createWatchlist(name: input.name, threshold: input.threshold ?? 0.6, actor: actor) }
            case "plate":
                let mode = PlateListMode(rawValue: input.mode ?? "deny")!
                created = try await store.run {
                    try $0.createPlateWatchlist(name: input.name, mode: mode, maxEdits: input.maxEdits ?? 1,
                                                region: input.region ?? "any", actor: actor)
                }
            default:
                throw HTTPError(.badRequest, message: "kind: expected face or plate")
            }
            return EditedResponse(status: .created, response: created)
        }
        group.post("watchlists/:name/plates") { request, context -> EditedResponse<PlateEntrySummary> in
            try context.require(.operator)
            let name = try context.pathText("name")
            let input = try await request.decode(as: NewPlate.self, context: context)
            let actor = context.actor
            let (entry, created) = try await store.run { try $0.addPlate(watchlist: name, plate: input.plate, label: input.label, actor: actor) }
            return EditedResponse(status: created ? .created : .ok, response: entry)
        }
        group.delete("watchlists/:name/plates/:plate") { _, context -> Response in
            try context.require(.operator)
            let name = try context.pathText("name"), plate = try context.pathText("plate")
            let actor = context.actor
            try await store.run { try $0.removePlate(watchlist: name, plate: plate, actor: actor) }
            return Response(status: .noContent)
        }
        group.get("watchlists/:name") { _, context -> WatchlistDetail in
            try context.require(.viewer)
            let name = try context.pathText("name")
            return try await store.run { try $0.watchlist(named: name) }
        }
        group.delete("watchlists/:name") { _, context -> Response in
            try context.require(.operator)
            let name = try context.pathText("name")
            let actor = context.actor
            try await store.run { try $0.removeWatchlist(name: name, actor: actor) }
            return Response(status: .noContent)
        }
        group.delete("watchlists/:name/subjects/:subject") { _, context -> Response in
            try context.require(.operator)
            let name = try context.pathText("name"), subject = try context.pathText("subject")
            let actor = context.actor
            try await store.run { try $0.removeSubject(watchlist: name, subject: subject, actor: actor) }
            return Response(status: .noContent)
        }
        group.post("watchlists/:name/subjects/:subject/enrolments") { request, context -> EditedResponse<EnrolView> in
            try context.require(.operator)
            return EditedResponse(status: .created, response: try await enrol(request, context))
        }
        group.get("enrolments/:id/image") { _, context -> Response in
            try context.require(.viewer)
            let id = try context.parameters.require("id", as: Int64.self)
            guard let (path, sha256) = try await store.run({ try $0.enrolmentImage(id: id) }) else {
                throw HTTPError(.notFound, message: "enrolment \(id) does not exist")
            }
            return try await FileResponse.verifiedImage(at: path, sha256: sha256, what: "enrolment \(id)")
        }
    }

    struct EnrolView: Codable, Sendable {
        var watchlist: String
        var subject: String
        var subjectCreated: Bool
        var added: Int
        var alreadyEnrolled: Int
    }

    /// multipart/form-data: one or more `image` files, optional `display_name` and `notes`.
    /// Same checks and messages as `vigil watchlist enroll`; all images or none are stored.
    private func enrol(_ request: Request, _ context: APIContext) async throws -> EnrolView {
        guard let enroller = environment.enroller else {
            throw HTTPError(.serviceUnavailable, message: "enrolment needs the daemon's vision models, which this server has not loaded")
        }
        let watchlist = try context.pathText("name"), subject = try context.pathText("subject")
        let form = try await Multipart.parse(request, limit: context.maxUploadSize)
        let images = form.files(named: "image")
        guard !images.isEmpty else { throw HTTPError(.badRequest, message: "no 'image' file in the form (multipart/form-data)") }
        // Refuse an unknown watchlist before spending seconds on the faces.
        _ = try await store.run { try $0.watchlist(named: watchlist) }
        var prepared: [NewEnrolment] = [], problems: [String] = []
        // Files this request wrote (not those already kept for an earlier enrolment): removed again
        // when the enrolment is refused, so rejected uploads do not pile up on disk.
        var written: [String] = []
        do {
            for image in images {
                let (path, isNew) = try await save(image)
                if isNew { written.append(path) }
                do {
                    var enrolment = try await enroller.prepare(imageAt: path)
                    enrolment.sourcePath = path
                    prepared.append(enrolment)
                } catch let error as UploadError {
                    problems.append(error.description.replacingOccurrences(of: path, with: image.filename ?? "upload"))
                }
            }
            if !problems.isEmpty { throw UploadError(.unprocessableContent, problems.joined(separator: "\n")) }
        } catch {
            written.forEach { try? FileManager.default.removeItem(atPath: $0) }
            throw error
        }
        let input = SubjectInput(id: subject, displayName: form.text(named: "display_name"), notes: form.text(named: "notes"))
        let actor = context.actor, enrolments = prepared
        let outcome: EnrolOutcome
        do {
            outcome = try await store.run { try $0.enrol(watchlist: watchlist, subject: input, images: enrolments, actor: actor) }
        } catch {
            written.forEach { try? FileManager.default.removeItem(atPath: $0) }
            throw error
        }
        return EnrolView(watchlist: watchlist, subject: subject, subjectCreated: outcome.subjectCreated, added: outcome.added.count,
                         alreadyEnrolled: outcome.alreadyEnrolled.count)
    }

    /// Keeps the upload under its content hash: the enrolment's evidence must outlive the request.
    /// Only JPEG, PNG, BMP and WebP are kept, recognised by their bytes. Returns whether the file is new.
    private func save(_ file: Multipart.File) async throws -> (String, Bool) {
        guard ImageFormat(magic: [UInt8](file.data.prefix(12))) != nil else {
            throw UploadError(.unprocessableContent, "\(file.filename ?? "upload"): not a JPEG, PNG, BMP or WebP image")
        }
        let digest = sha256Hex(file.data)
        let folder = environment.uploads, data = file.data
        return try await Blocking.run(throwing: {
            do {
                let kept = try ContentAddressedImages.keep(data, sha256: digest, in: folder)
                return (kept.path, kept.isNew)
            } catch {
                throw UploadError(.internalServerError, "cannot store the upload in \(folder)")
            }
        })
    }
}

/// Serves stored images (snapshots, crops, enrolment photos).
enum FileResponse {
    /// Evidence and enrolment photos are biometric data: never cached by the browser or a proxy.
    /// Read off the cooperative pool (disk reads block).
    static func image(at path: String, what: String) async throws -> Response {
        guard let data = await Blocking.run({ FileManager.default.contents(atPath: path) }) else {
            throw HTTPError(.notFound, message: "\(what): the image is no longer stored (retention or removal)")
        }
        return try await image(data: data, path: path)
    }

    static func image(data: Data, path: String) async throws -> Response {
        let type: String
        switch (path as NSString).pathExtension.lowercased() {
        case "png": type = "image/png"
        case "webp": type = "image/webp"
        case "bmp": type = "image/bmp"
        default: type = "image/jpeg"
        }
        return Response(status: .ok, headers: [.contentType: type, .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// An enrolment photo, served only while it is a regular file (no symbolic link is followed)
    /// at an absolute path whose bytes still hash to what was enrolled: a replaced file or a path
    /// pointing elsewhere serves nothing.
    static func verifiedImage(at path: String, sha256: String, what: String) async throws -> Response {
        guard path.hasPrefix("/") else {
            throw HTTPError(.notFound, message: "\(what): the image was enrolled by a relative path and is not served; enrol it again")
        }
        let read = await Blocking.run { () -> Data? in
            let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
            guard fd >= 0 else { return nil }
            let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
            var info = stat()
            guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
            return try? handle.readToEnd()
        }
        guard let data = read else {
            throw HTTPError(.notFound, message: "\(what): the image is no longer stored, or is not a regular file")
        }
        guard sha256Hex(data) == sha256 else {
            throw HTTPError(.conflict, message: "\(what): the stored image has changed since enrolment and is not served")
        }
        return try await image(data: data, path: path)
    }
}


private func sha256Hex(_ data: Data) -> String {
    SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
}
