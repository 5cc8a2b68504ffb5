import Foundation
import Hummingbird
import VigilStore

/// Maps module errors onto HTTP: the message is the same one the CLI prints.
struct ErrorMapper<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPResponseError {
            throw error
        } catch let error as StoreError {
            throw HTTPError(Self.status(error), message: error.description)
        } catch let error as UploadError {
            throw HTTPError(error.status, message: error.description)
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
            throw HTTPError(.internalServerError, message: "internal error; see the daemon log")
        }
    }

    static func status(_ error: StoreError) -> HTTPResponse.Status {
        switch error {
        case .watchlistNotFound, .subjectNotFound, .alertNotFound, .deliveryNotFound, .tokenNotFound, .plateNotFound, .incidentNotFound, .modelNotFound,
             .caseNotFound, .incidentIDNotFound: return .notFound
        case .watchlistExists, .tokenExists, .wrongKind, .incidentExists, .stageChange: return .conflict
        case .invalidName, .invalidThreshold, .invalidComment, .invalidText, .invalidPlate, .invalidPlateRow, .invalidMaxEdits,
             .invalidCase, .attachmentUnreadable: return .badRequest
        case .attachmentTooLarge: return .contentTooLarge
        case .locked: return .serviceUnavailable
        case .cannotOpen, .newerSchema, .database: return .internalServerError
        }
    }
}

/// A rejected upload or enrolment, with the status it deserves.
public struct UploadError: Error, CustomStringConvertible, Sendable {
    public var status: HTTPResponse.Status
    public var description: String

    public init(_ status: HTTPResponse.Status, _ description: String) {
        self.status = status
        self.description = description
    }
}
