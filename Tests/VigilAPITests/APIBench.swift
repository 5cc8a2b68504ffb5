import Foundation
import HTTPTypes
import Hummingbird
@testable import VigilAPI
import VigilConfig
import VigilStore
import VigilTestSupport

/// What every API suite starts from: a real SQLite file in a temporary folder with one token per
/// role (named `<role>-desk`), and the API on it in-process (Hummingbird's router test client).
struct APIBench {
    let directory: URL
    let database: VigilDatabase
    let tokens: [Role: String]

    init() throws {
        directory = try Fixtures.temporaryDirectory()
        database = try VigilDatabase(path: directory.appendingPathComponent("vigil.sqlite").path)
        var tokens: [Role: String] = [:]
        for role in Role.allCases { tokens[role] = try database.createToken(name: "\(role.rawValue)-desk", role: role, actor: "test").secret }
        self.tokens = tokens
    }

    func app(hooks: [HookConfig] = [], enroller: (any FaceEnrolling)? = nil) -> some ApplicationProtocol {
        let environment = APIEnvironment(hooks: hooks, uploads: directory.appendingPathComponent("uploads").path, enroller: enroller)
        return Application(router: APIServer.router(store: StoreAccess(store: database), environment: environment))
    }

    /// The token of `role` (none when nil), and a JSON content type when `json`.
    func headers(_ role: Role?, json: Bool = false) -> HTTPFields {
        var fields = HTTPFields()
        if let role { fields[.authorization] = "Bearer \(tokens[role]!)" }
        if json { fields[.contentType] = "application/json" }
        return fields
    }
}
