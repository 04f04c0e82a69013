import Foundation
import NIOCore

/// Where the agent registers: a `ws://` or `wss://` URL taken apart for the socket.
public struct RegistrationEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// The host (a name or an address literal).
    public var host: String
    /// The port (default 80, or 443 for `wss://`).
    public var port: Int
    /// The path and query sent in the upgrade request.
    public var path: String
    /// True for `wss://`.
    public var tls: Bool

    /// Parses `url`; throws ``RegistrationSocketError`` (``RegistrationSocketError/Code/invalidURL``)
    /// naming what is wrong.
    public init(_ url: String) throws {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            let host = components.host, !host.isEmpty
        else {
            throw RegistrationSocketError(.invalidURL, "the register URL \(url) is not ws://host[:port]/path or wss://host[:port]/path")
        }
        guard scheme == "ws" || scheme == "wss" else {
            throw RegistrationSocketError(.invalidURL, "the register URL \(url) must start with ws:// or wss://, not \(scheme)://")
        }
        self.tls = scheme == "wss"
        self.host = host
        self.port = components.port ?? (self.tls ? 443 : 80)
        let path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        self.path = path + (components.percentEncodedQuery.map { "?\($0)" } ?? "")
    }

    /// The `Host` header: the port only when it is not the scheme's default.
    var hostHeader: String {
        let bracketed = self.host.contains(":") ? "[\(self.host)]" : self.host
        return self.port == (self.tls ? 443 : 80) ? bracketed : "\(bracketed):\(self.port)"
    }

    /// The TLS server name: the host, unless it is an address literal (SNI takes names only).
    var serverName: String? {
        (try? SocketAddress(ipAddress: self.host, port: 0)) == nil ? self.host : nil
    }

    /// The URL.
    public var description: String { "\(self.tls ? "wss" : "ws")://\(self.hostHeader)\(self.path)" }
}
