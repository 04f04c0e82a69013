import Foundation
import Hummingbird
import Synchronization

extension CloudflareEmulator {
    func recordJSON(_ record: CloudflareEmulatorState.Record) -> [String: Any] {
        [
            "id": record.id, "zone_id": self.configuration.zoneID, "zone_name": self.configuration.zoneName, "name": record.name, "type": record.type,
            "content": record.content,
            "proxiable": true, "proxied": record.proxied, "ttl": record.ttl, "comment": record.comment ?? NSNull(), "tags": [],
            "settings": [String: Any](), "meta": [String: Any](), "created_on": EmulatorResponse.timestamp(record.createdOn),
            "modified_on": EmulatorResponse.timestamp(record.modifiedOn),
        ]
    }

    /// A field filter: `name`, `name.exact`, `name.contains`, `name.startswith`, `name.endswith`
    /// (and the same for `content` and `comment`), read from the query once per request.
    struct FieldFilter {
        var exact: String?
        var contains: String?
        var prefix: String?
        var suffix: String?

        init(_ field: String, _ request: Request) {
            self.exact = EmulatorResponse.query(request, field) ?? EmulatorResponse.query(request, "\(field).exact")
            self.contains = EmulatorResponse.query(request, "\(field).contains")
            self.prefix = EmulatorResponse.query(request, "\(field).startswith")
            self.suffix = EmulatorResponse.query(request, "\(field).endswith")
        }

        func matches(_ value: String?) -> Bool {
            let text = value ?? ""
            if let exact, text != exact { return false }
            if let contains, !text.contains(contains) { return false }
            if let prefix, !text.hasPrefix(prefix) { return false }
            if let suffix, !text.hasSuffix(suffix) { return false }
            return true
        }
    }

    @Sendable func listRecords(_ request: Request, _ context: BasicRequestContext) async -> Response {
        let now = self.clock.now
        let type = EmulatorResponse.query(request, "type")
        let (name, content, comment) = (FieldFilter("name", request), FieldFilter("content", request), FieldFilter("comment", request))
        let items: [CloudflareEmulatorState.Record] = self.state.withLock { state in
            state.recordOrder.compactMap { state.records[$0] }.filter { record in
                guard record.listedFrom <= now else { return false }
                if record.deleted && (record.unlistedFrom ?? .zero) <= now { return false }
                if let type, record.type != type { return false }
                return name.matches(record.name) && content.matches(record.content) && comment.matches(record.comment)
            }
        }
        return Self.page(items, request, defaultSize: 100, maximumSize: 5_000_000, minimumSize: 5, render: self.recordJSON)
    }

    @Sendable func createRecord(_ request: Request, _ context: BasicRequestContext) async -> Response {
        let body = await EmulatorResponse.body(request)
        guard let type = body["type"] as? String, let name = body["name"] as? String, let content = body["content"] as? String, !name.isEmpty else {
            return Self.failure(.badRequest, 9000, "DNS record requires type, name and content")
        }
        let proxied = body["proxied"] as? Bool ?? false
        let ttl = body["ttl"] as? Int ?? 1
        guard ttl == 1 || (60...86_400).contains(ttl) else {
            return Self.failure(.badRequest, 9021, "Invalid TTL: must be 1 (automatic) or 60–86400")
        }
        let comment = body["comment"] as? String
        let now = self.clock.now
        let lag = self.lagNow
        enum Outcome {
            case duplicate, conflict
            case created(CloudflareEmulatorState.Record)
        }
        let outcome: Outcome = self.state.withLock { state in
            let live = state.records.values.filter { !$0.deleted && $0.name.lowercased() == name.lowercased() }
            if live.contains(where: { $0.type == type && $0.content == content }) { return .duplicate }
            let addressTypes: Set<String> = ["A", "AAAA", "CNAME"]
            if type == "CNAME" && live.contains(where: { addressTypes.contains($0.type) }) { return .conflict }
            if addressTypes.contains(type) && live.contains(where: { $0.type == "CNAME" }) { return .conflict }
            let record = CloudflareEmulatorState.Record(
                id: Self.hexID(),
                name: name.lowercased(),
                type: type,
                content: content,
                proxied: proxied,
                ttl: proxied ? 1 : ttl,
                comment: comment,
                createdOn: Date(),
                modifiedOn: Date(),
                listedFrom: now + lag
            )
            state.records[record.id] = record
            state.recordOrder.append(record.id)
            return .created(record)
        }
        switch outcome {
        case .duplicate: return Self.failure(.badRequest, 81057, "Record already exists.")
        case .conflict: return Self.failure(.badRequest, 81053, "An A, AAAA, or CNAME record with that host already exists.")
        case .created(let record): return Self.success(self.recordJSON(record))
        }
    }

    @Sendable func getRecord(_ request: Request, _ context: BasicRequestContext) async -> Response {
        let id = context.parameters.get("id") ?? ""
        guard let record = self.state.withLock({ $0.records[id] }), !record.deleted else { return Self.recordNotFound }
        return Self.success(self.recordJSON(record))
    }

    @Sendable func updateRecord(_ request: Request, _ context: BasicRequestContext) async -> Response {
        let body = await EmulatorResponse.body(request)
        let id = context.parameters.get("id") ?? ""
        let isPatch = request.method == .patch
        let updated: CloudflareEmulatorState.Record? = self.state.withLock { state in
            guard var record = state.records[id], !record.deleted else { return nil }
            if let type = body["type"] as? String { record.type = type } else if !isPatch { return nil }
            if let name = body["name"] as? String { record.name = name.lowercased() }
            if let content = body["content"] as? String { record.content = content }
            if let proxied = body["proxied"] as? Bool { record.proxied = proxied }
            if let ttl = body["ttl"] as? Int { record.ttl = ttl }
            if body.keys.contains("comment") { record.comment = body["comment"] as? String }
            record.modifiedOn = Date()
            state.records[id] = record
            return record
        }
        guard let updated else { return Self.recordNotFound }
        return Self.success(self.recordJSON(updated))
    }

    @Sendable func deleteRecord(_ request: Request, _ context: BasicRequestContext) async -> Response {
        let id = context.parameters.get("id") ?? ""
        let now = self.clock.now
        let lag = self.lagNow
        let found: Bool = self.state.withLock { state in
            guard state.records[id] != nil, state.records[id]?.deleted == false else { return false }
            state.records[id]?.deleted = true
            state.records[id]?.unlistedFrom = now + lag
            return true
        }
        return found ? Self.success(["id": id]) : Self.recordNotFound
    }

    static var recordNotFound: Response { Self.failure(.notFound, 81044, "Record does not exist.") }
}
