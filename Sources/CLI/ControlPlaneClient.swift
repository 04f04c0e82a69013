import ArgumentParser
import Daemon
import Foundation
import ProviderSupport

/// `status`, `wait` and `approve` talking to a running control plane.
struct ControlPlaneClient: Sendable {
    /// Why a request did not get an answer the command can use.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    var baseURL: String
    var transport = HTTPTransport(timeout: .seconds(10))

    /// The control plane of `flag`, else `DD_CONTROL_PLANE_URL`.
    init(flag: String?, environment: ProcessEnvironment) throws {
        guard let url = flag ?? environment["DD_CONTROL_PLANE_URL"], url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw ValidationError("give --control-plane http(s)://host:port (or set DD_CONTROL_PLANE_URL)")
        }
        self.baseURL = url.hasSuffix("/") ? String(url.dropLast()) : url
    }

    /// `GET /status`.
    func status() async throws(Failure) -> (document: StatusDocument, json: [UInt8]) {
        let response = try await self.send("GET", "/status")
        guard response.status == 200 else { throw Self.refusal(response, "GET /status") }
        do {
            return (try JSONDecoder().decode(StatusDocument.self, from: Data(response.body)), response.body)
        } catch {
            throw Failure(
                description: "\(self.baseURL)/status did not answer with a status document (\(error)); is it a DevOps Defender control plane?"
            )
        }
    }

    /// Sends a request; a connection failure names the URL.
    func send(_ method: String, _ path: String, headers: [(String, String)] = [], body: [UInt8]? = nil) async throws(Failure)
        -> HTTPTransport.Response
    {
        do {
            return try await self.transport.send(method: method, url: self.baseURL + path, headers: headers, body: body)
        } catch {
            throw Failure(description: "cannot reach the control plane at \(self.baseURL) (\(error))")
        }
    }

    /// A non-2xx answer, with the control plane's own error message when it gave one.
    static func refusal(_ response: HTTPTransport.Response, _ what: String) -> Failure {
        let message = (try? JSONDecoder().decode([String: String].self, from: Data(response.body)))?["error"]
        return Failure(description: "\(what) answered HTTP \(response.status)\(message.map { ": \($0)" } ?? "")")
    }
}
