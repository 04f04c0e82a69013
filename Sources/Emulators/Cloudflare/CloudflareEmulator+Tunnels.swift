import Foundation
import Hummingbird
import Synchronization

extension CloudflareEmulator {
    func tunnelJSON(_ tunnel: CloudflareEmulatorState.Tunnel) -> [String: Any] {
        var json: [String: Any] = [
            "id": tunnel.id,
            "account_tag": self.configuration.accountID,
            "name": tunnel.name,
            "created_at": EmulatorResponse.timestamp(tunnel.createdAt),
            "deleted_at": tunnel.deletedAt.map(EmulatorResponse.timestamp) ?? NSNull(),
            "connections": [],
            "conns_active_at": tunnel.connectors.isEmpty ? NSNull() : EmulatorResponse.timestamp(tunnel.createdAt),
            "conns_inactive_at": tunnel.connectors.isEmpty ? EmulatorResponse.timestamp(tunnel.createdAt) : NSNull(),
            "tun_type": "cfd_tunnel",
            "status": tunnel.status,
            "remote_config": tunnel.deletedAt == nil && tunnel.configSource == "cloudflare",
            "metadata": [String: Any](),
        ]
        if tunnel.deletedAt == nil { json["config_src"] = tunnel.configSource }
        return json
    }

    @Sendable func listTunnels(_ request: Request, _ context: BasicRequestContext) async -> Response {
        let now = self.clock.now
        let isDeleted = EmulatorResponse.query(request, "is_deleted")
        let name = EmulatorResponse.query(request, "name")
        let prefix = EmulatorResponse.query(request, "include_prefix")
        let excludePrefix = EmulatorResponse.query(request, "exclude_prefix")
        let items: [CloudflareEmulatorState.Tunnel] = self.state.withLock { state in
            state.tunnelOrder.compactMap { state.tunnels[$0] }.filter { tunnel in
                guard tunnel.listedFrom <= now else { return false }
                // A delete shows in lists only after the lag.
                let listedAsDeleted = tunnel.deletedAt != nil && (tunnel.unlistedFrom ?? .zero) <= now
                if isDeleted == "false" && listedAsDeleted { return false }
                if isDeleted == "true" && !listedAsDeleted { return false }
                if let name, tunnel.name != name { return false }
                if let prefix, !tunnel.name.hasPrefix(prefix) { return false }
                if let excludePrefix, tunnel.name.hasPrefix(excludePrefix) { return false }
                return true
            }
        }
        return Self.page(items, request, defaultSize: 1000, maximumSize: 1000, render: self.tunnelJSON)
    }

    @Sendable func createTunnel(_ request: Request, _ context: BasicRequestContext) async -> Response {
        let body = await EmulatorResponse.body(request)
        guard let name = body["name"] as? String, !name.isEmpty, name.count <= 255 else {
            return Self.failure(.badRequest, 1001, "Tunnel name is required")
        }
        let configSource = body["config_src"] as? String ?? "local"
        guard configSource == "cloudflare" || configSource == "local" else {
            return Self.failure(.badRequest, 1001, "config_src must be cloudflare or local")
        }
        let secret = (body["tunnel_secret"] as? String) ?? Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        let now = self.clock.now
        let lag = self.lagNow
        let created: CloudflareEmulatorState.Tunnel? = self.state.withLock { state in
            if state.tunnels.values.contains(where: { $0.name == name && $0.deletedAt == nil }) { return nil }
            let tunnel = CloudflareEmulatorState.Tunnel(
                id: UUID().uuidString.lowercased(),
                name: name,
                createdAt: Date(),
                configSource: configSource,
                secret: secret,
                listedFrom: now + lag
            )
            state.tunnels[tunnel.id] = tunnel
            state.tunnelOrder.append(tunnel.id)
            return tunnel
        }
        guard let tunnel = created else {
            return Self.failure(
                .conflict,
                1013,
                "You already have a tunnel with this name. Delete the existing tunnel, or choose a different name for the new tunnel."
            )
        }
        var json = self.tunnelJSON(tunnel)
        json["token"] = self.tokenString(tunnel)
        json["credentials_file"] = [
            "AccountTag": self.configuration.accountID, "TunnelID": tunnel.id, "TunnelName": tunnel.name, "TunnelSecret": tunnel.secret,
        ]
        return Self.success(json)
    }

    @Sendable func getTunnel(_ request: Request, _ context: BasicRequestContext) async -> Response {
        guard let tunnel = self.tunnel(context) else { return Self.tunnelNotFound }
        return Self.success(self.tunnelJSON(tunnel))
    }

    @Sendable func editTunnel(_ request: Request, _ context: BasicRequestContext) async -> Response {
        let body = await EmulatorResponse.body(request)
        let id = context.parameters.get("id") ?? ""
        let updated: CloudflareEmulatorState.Tunnel? = self.state.withLock { state in
            guard state.tunnels[id] != nil, state.tunnels[id]?.deletedAt == nil else { return nil }
            if let name = body["name"] as? String { state.tunnels[id]?.name = name }
            if let secret = body["tunnel_secret"] as? String { state.tunnels[id]?.secret = secret }
            return state.tunnels[id]
        }
        guard let updated else { return Self.tunnelNotFound }
        return Self.success(self.tunnelJSON(updated))
    }

    @Sendable func deleteTunnel(_ request: Request, _ context: BasicRequestContext) async -> Response {
        let id = context.parameters.get("id") ?? ""
        let cascade = EmulatorResponse.query(request, "cascade") == "true"
        let now = self.clock.now
        let lag = self.lagNow
        enum Outcome {
            case missing, busy
            case deleted(CloudflareEmulatorState.Tunnel)
        }
        let outcome: Outcome = self.state.withLock { state in
            guard var tunnel = state.tunnels[id], tunnel.deletedAt == nil else { return .missing }
            if !tunnel.connectors.isEmpty && !cascade { return .busy }
            tunnel.connectors.removeAll()
            tunnel.deletedAt = Date()
            tunnel.unlistedFrom = now + lag
            state.tunnels[id] = tunnel
            return .deleted(tunnel)
        }
        switch outcome {
        case .missing: return Self.tunnelNotFound
        case .busy:
            return Self.failure(
                .badRequest,
                1022,
                "This tunnel has active connections. Clean up the connections, or use the cascade option to delete them as well."
            )
        case .deleted(let tunnel): return Self.success(self.tunnelJSON(tunnel))
        }
    }

    @Sendable func listConnections(_ request: Request, _ context: BasicRequestContext) async -> Response {
        guard let tunnel = self.tunnel(context) else { return Self.tunnelNotFound }
        let connectors: [[String: Any]] = tunnel.connectors.sorted { $0.key < $1.key }.map { id, connector in
            [
                "id": id, "features": [], "version": "2026.8.0", "arch": "linux_amd64", "run_at": EmulatorResponse.timestamp(connector.connectedAt),
                "conns": [
                    [
                        "colo_name": connector.colo, "id": id, "uuid": id, "is_pending_reconnect": false, "origin_ip": "127.0.0.1",
                        "opened_at": EmulatorResponse.timestamp(connector.connectedAt), "client_id": id, "client_version": "2026.8.0",
                    ]
                ],
            ]
        }
        return Self.success(connectors)
    }

    @Sendable func cleanConnections(_ request: Request, _ context: BasicRequestContext) async -> Response {
        let id = context.parameters.get("id") ?? ""
        let client = EmulatorResponse.query(request, "client_id")
        let found: Bool = self.state.withLock { state in
            guard state.tunnels[id] != nil else { return false }
            if let client { state.tunnels[id]?.connectors[client] = nil } else { state.tunnels[id]?.connectors.removeAll() }
            return true
        }
        return found ? Self.success([String: Any]()) : Self.tunnelNotFound
    }

    @Sendable func token(_ request: Request, _ context: BasicRequestContext) async -> Response {
        guard let tunnel = self.tunnel(context), tunnel.deletedAt == nil else { return Self.tunnelNotFound }
        return Self.success(self.tokenString(tunnel))
    }

    @Sendable func getConfiguration(_ request: Request, _ context: BasicRequestContext) async -> Response {
        guard let tunnel = self.tunnel(context) else { return Self.tunnelNotFound }
        guard tunnel.deletedAt == nil else { return Self.failure(.notFound, 1055, "Tunnel configuration not found: the tunnel was deleted") }
        let config: Any = tunnel.ingressJSON.flatMap { try? JSONSerialization.jsonObject(with: $0) } ?? NSNull()
        return Self.success([
            "tunnel_id": tunnel.id, "version": tunnel.configVersion, "config": config, "source": "cloudflare",
            "created_at": EmulatorResponse.timestamp(tunnel.createdAt),
        ])
    }

    @Sendable func putConfiguration(_ request: Request, _ context: BasicRequestContext) async -> Response {
        let body = await EmulatorResponse.body(request)
        guard var config = body["config"] as? [String: Any], let ingress = config["ingress"] as? [[String: Any]], let last = ingress.last,
            ((last["hostname"] as? String) ?? "").isEmpty, ((last["path"] as? String) ?? "").isEmpty,
            ingress.allSatisfy({ ($0["service"] as? String).map { !$0.isEmpty } ?? false })
        else {
            return Self.failure(
                .badRequest,
                1056,
                "Bad Configuration: Validation failed: The last ingress rule must match all URLs (i.e. it should not have a hostname or path filter)"
            )
        }
        if config["warp-routing"] == nil { config["warp-routing"] = ["enabled": false] }
        let id = context.parameters.get("id") ?? ""
        let data = try? JSONSerialization.data(withJSONObject: config, options: [.sortedKeys])
        let updated: CloudflareEmulatorState.Tunnel? = self.state.withLock { state in
            guard state.tunnels[id] != nil else { return nil }
            guard state.tunnels[id]?.deletedAt == nil else { return state.tunnels[id] }
            state.tunnels[id]?.ingressJSON = data
            state.tunnels[id]?.configVersion += 1
            return state.tunnels[id]
        }
        guard let updated else { return Self.tunnelNotFound }
        guard updated.deletedAt == nil else { return Self.failure(.notFound, 1055, "Tunnel configuration not found: the tunnel was deleted") }
        return Self.success([
            "tunnel_id": updated.id, "version": updated.configVersion, "config": config, "source": "cloudflare",
            "created_at": EmulatorResponse.timestamp(updated.createdAt),
        ])
    }

    var lagNow: Duration { self.currentLag }

    func tunnel(_ context: BasicRequestContext) -> CloudflareEmulatorState.Tunnel? {
        let id = context.parameters.get("id") ?? ""
        return self.state.withLock { $0.tunnels[id] }
    }

    func tokenString(_ tunnel: CloudflareEmulatorState.Tunnel) -> String {
        let json = "{\"a\":\"\(self.configuration.accountID)\",\"t\":\"\(tunnel.id)\",\"s\":\"\(tunnel.secret)\"}"
        return Data(json.utf8).base64EncodedString()
    }

    static var tunnelNotFound: Response { Self.failure(.notFound, 1003, "Tunnel not found") }
}
