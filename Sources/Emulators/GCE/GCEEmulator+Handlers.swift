import Crypto
import Foundation
import Hummingbird
import Synchronization

extension GCEEmulator {
    private var base: String { "https://www.googleapis.com/compute/v1/projects/\(self.configuration.project)" }

    func instanceJSON(_ instance: GCEEmulatorState.Instance) -> [String: Any] {
        [
            "kind": "compute#instance", "id": String(instance.id), "name": instance.name, "status": instance.status,
            "zone": "\(self.base)/zones/\(instance.zone)",
            "machineType": "\(self.base)/zones/\(instance.zone)/machineTypes/\(instance.machineType)",
            "creationTimestamp": EmulatorResponse.timestamp(instance.created), "labels": instance.labels,
            "labelFingerprint": instance.labelFingerprint,
            "metadata": ["kind": "compute#metadata", "fingerprint": instance.metadataFingerprint, "items": instance.metadataItems],
            "confidentialInstanceConfig": ["confidentialInstanceType": instance.confidentialType],
            "scheduling": ["onHostMaintenance": instance.onHostMaintenance, "automaticRestart": true],
            "selfLink": "\(self.base)/zones/\(instance.zone)/instances/\(instance.name)",
            "networkInterfaces": [["networkIP": "10.128.0.\(instance.id % 250 + 2)", "name": "nic0"]],
            "cpuPlatform": "Intel Sapphire Rapids",
        ]
    }

    func operationJSON(_ operation: GCEEmulatorState.Operation, now: Duration) -> [String: Any] {
        let status = now >= operation.doneAt ? "DONE" : now >= operation.runningFrom ? "RUNNING" : "PENDING"
        var json: [String: Any] = [
            "kind": "compute#operation", "id": String(operation.id), "name": operation.name, "operationType": operation.type,
            "status": status, "progress": status == "DONE" ? 100 : 0,
            "targetLink": "\(self.base)/zones/\(operation.zone)/instances/\(operation.target)",
            "zone": "\(self.base)/zones/\(operation.zone)", "insertTime": EmulatorResponse.timestamp(operation.inserted),
            "selfLink": "\(self.base)/zones/\(operation.zone)/operations/\(operation.name)", "user": self.clientEmail,
        ]
        if let requestID = operation.requestID { json["clientOperationId"] = requestID }
        if status == "DONE" {
            json["endTime"] = EmulatorResponse.timestamp(Date())
            if let code = operation.error {
                json["error"] = [
                    "errors": [
                        [
                            "code": code,
                            "message":
                                "The zone '\(operation.zone)' does not have enough resources available to fulfill the request. Try a different zone, or try again later.",
                        ]
                    ]
                ]
                json["httpErrorStatusCode"] = 503
                json["httpErrorMessage"] = "SERVICE UNAVAILABLE"
            }
        }
        return json
    }

    /// Applies the effects of operations that are DONE by now, and the intermediate statuses.
    func advance(_ state: inout GCEEmulatorState, now: Duration) {
        for (name, operation) in state.operations where !operation.applied {
            let key = GCEEmulatorState.key(operation.zone, operation.target)
            let running = now >= operation.runningFrom
            let done = now >= operation.doneAt
            switch operation.type {
            case "insert":
                if done {
                    if operation.error != nil { state.instances[key] = nil } else { state.instances[key]?.status = "RUNNING" }
                } else if running {
                    state.instances[key]?.status = "STAGING"
                }
            case "delete":
                if done {
                    state.instances[key]?.deleted = true
                    state.instances[key]?.unlistedFrom = operation.doneAt + self.configuration.listLag
                } else {
                    state.instances[key]?.status = "STOPPING"
                }
            case "stop": state.instances[key]?.status = done ? "TERMINATED" : "STOPPING"
            case "start": state.instances[key]?.status = done ? "RUNNING" : "STAGING"
            default: break
            }
            if done { state.operations[name]?.applied = true }
        }
    }

    func withState<T>(_ body: (inout GCEEmulatorState, Duration) -> T) -> T {
        let now = self.clock.now
        return self.state.withLock { state in
            self.advance(&state, now: now)
            return body(&state, now)
        }
    }

    func liveInstance(_ state: GCEEmulatorState, _ context: BasicRequestContext) -> GCEEmulatorState.Instance? {
        let key = GCEEmulatorState.key(context.parameters.get("zone") ?? "", context.parameters.get("name") ?? "")
        guard let instance = state.instances[key], !instance.deleted else { return nil }
        return instance
    }

    func notFound(_ context: BasicRequestContext) -> Response {
        Self.error(
            .notFound,
            "notFound",
            "The resource 'projects/\(self.configuration.project)/zones/\(context.parameters.get("zone") ?? "")/instances/\(context.parameters.get("name") ?? "")' was not found"
        )
    }

    static func fingerprint() -> String {
        Data((0..<8).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
    }

    enum PageOutcome {
        case page([GCEEmulatorState.Instance], String?)
        case refused(Response)
    }

    /// Lists `instances` filtered, one page at a time (`maxResults` ≤ 500, opaque `pageToken`).
    func page(_ request: Request, _ instances: [GCEEmulatorState.Instance]) -> PageOutcome {
        let filter: GCEFilter
        switch GCEFilter.parse(EmulatorResponse.query(request, "filter") ?? "") {
        case .failure(let error): return .refused(Self.error(.badRequest, "invalid", error.message))
        case .success(let parsed): filter = parsed
        }
        let maxResults = Int(EmulatorResponse.query(request, "maxResults") ?? "500") ?? 500
        guard (0...500).contains(maxResults) else {
            return .refused(
                Self.error(.badRequest, "invalid", "Invalid value for field 'maxResults': \(maxResults). Must be less than or equal to 500")
            )
        }
        let size = maxResults == 0 ? 500 : maxResults
        let offset =
            EmulatorResponse.query(request, "pageToken").flatMap { Data(base64Encoded: $0) }.flatMap { Int(String(decoding: $0, as: UTF8.self)) } ?? 0
        let matching = instances.filter { instance in
            filter.matches { field in
                if field.hasPrefix("labels.") { return instance.labels[String(field.dropFirst(7))] }
                switch field {
                case "name": return instance.name
                case "status": return instance.status
                case "zone": return instance.zone
                default: return nil
                }
            }
        }
        let slice = Array(matching.dropFirst(offset).prefix(size))
        let next = offset + size < matching.count ? Data(String(offset + size).utf8).base64EncodedString() : nil
        return .page(slice, next)
    }

    @Sendable func listInstances(_ request: Request, _ context: BasicRequestContext) async -> Response {
        let zone = context.parameters.get("zone") ?? ""
        let listed = self.withState { state, now in
            state.order.compactMap { state.instances[$0] }.filter {
                $0.zone == zone && $0.listedFrom <= now && !($0.deleted && ($0.unlistedFrom ?? .zero) <= now)
            }
        }
        switch self.page(request, listed) {
        case .refused(let response): return response
        case .page(let items, let next):
            let page = (items: items, next: next)
            var json: [String: Any] = [
                "kind": "compute#instanceList", "id": "projects/\(self.configuration.project)/zones/\(zone)/instances",
                "selfLink": "\(self.base)/zones/\(zone)/instances",
            ]
            if !page.items.isEmpty { json["items"] = page.items.map(self.instanceJSON) }
            if let next = page.next { json["nextPageToken"] = next }
            return EmulatorResponse.json(.ok, json)
        }
    }

    @Sendable func aggregatedList(_ request: Request, _ context: BasicRequestContext) async -> Response {
        let listed = self.withState { state, now in
            state.order.compactMap { state.instances[$0] }.filter { $0.listedFrom <= now && !($0.deleted && ($0.unlistedFrom ?? .zero) <= now) }
        }
        switch self.page(request, listed) {
        case .refused(let response): return response
        case .page(let items, let next):
            let page = (items: items, next: next)
            var items: [String: Any] = [:]
            for zone in self.configuration.zones {
                let instances = page.items.filter { $0.zone == zone }
                items["zones/\(zone)"] =
                    instances.isEmpty
                    ? [
                        "warning": [
                            "code": "NO_RESULTS_ON_PAGE", "message": "There are no results for scope 'zones/\(zone)' on this page.",
                            "data": [["key": "scope", "value": "zones/\(zone)"]],
                        ]
                    ]
                    : ["instances": instances.map(self.instanceJSON)]
            }
            var json: [String: Any] = ["kind": "compute#instanceAggregatedList", "items": items, "selfLink": "\(self.base)/aggregated/instances"]
            if let next = page.next { json["nextPageToken"] = next }
            return EmulatorResponse.json(.ok, json)
        }
    }

    @Sendable func getInstance(_ request: Request, _ context: BasicRequestContext) async -> Response {
        guard let instance = self.withState({ state, _ in self.liveInstance(state, context) }) else { return self.notFound(context) }
        return EmulatorResponse.json(.ok, self.instanceJSON(instance))
    }

    @Sendable func insert(_ request: Request, _ context: BasicRequestContext) async -> Response {
        let body = await EmulatorResponse.body(request)
        let zone = context.parameters.get("zone") ?? ""
        let insert: InstanceInsert
        switch Self.instanceInsert(from: body) {
        case .refused(let response): return response
        case .valid(let valid): insert = valid
        }
        let requestID = EmulatorResponse.query(request, "requestId")
        let stockout = self.faults.fault(for: "instances.insert.operation")?.operationError
        let operation = self.withState { state, now in
            self.recordInsert(insert, zone: zone, requestID: requestID, operationError: stockout, state: &state, now: now)
        }
        guard let operation else {
            return Self.error(
                .conflict,
                "alreadyExists",
                "The resource 'projects/\(self.configuration.project)/zones/\(zone)/instances/\(insert.name)' already exists"
            )
        }
        return EmulatorResponse.json(.ok, self.operationJSON(operation, now: self.clock.now))
    }

    /// What an `instances.insert` body asks for, once GCE's checks passed.
    private struct InstanceInsert {
        var name: String
        /// The machine type's name (the last segment of the body's URL or name).
        var machineType: String
        var confidentialType: String
        var onHostMaintenance: String
        var labels: [String: String]
        var metadataItems: [[String: String]]
    }

    /// An `instances.insert` body read: what it asks for, or GCE's error for it.
    private enum InstanceInsertOutcome {
        case valid(InstanceInsert)
        case refused(Response)
    }

    /// Reads an `instances.insert` body as GCE does: the name must be a valid resource name, the
    /// machine type is required, and a TDX VM must TERMINATE on host maintenance; GCE's 400
    /// otherwise.
    private static func instanceInsert(from body: [String: Any]) -> InstanceInsertOutcome {
        guard let name = body["name"] as? String, name.range(of: "^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$", options: .regularExpression) != nil else {
            return .refused(
                Self.error(
                    .badRequest,
                    "invalid",
                    "Invalid value for field 'resource.name': '\(body["name"] ?? "")'. Must be a match of regex '(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?|[1-9][0-9]{0,19})'"
                )
            )
        }
        guard let machineType = (body["machineType"] as? String)?.split(separator: "/").last.map(String.init) else {
            return .refused(Self.error(.badRequest, "required", "Required field 'resource.machineType' not specified"))
        }
        let confidential =
            ((body["confidentialInstanceConfig"] as? [String: Any])?["confidentialInstanceType"] as? String)
            ?? "CONFIDENTIAL_INSTANCE_TYPE_UNSPECIFIED"
        let maintenance = ((body["scheduling"] as? [String: Any])?["onHostMaintenance"] as? String) ?? "MIGRATE"
        if confidential == "TDX" && maintenance != "TERMINATE" {
            return .refused(
                Self.error(
                    .badRequest,
                    "badRequest",
                    "Invalid value for field 'resource.scheduling.onHostMaintenance': 'MIGRATE'. Confidential VMs of type TDX require onHostMaintenance TERMINATE."
                )
            )
        }
        let items = ((body["metadata"] as? [String: Any])?["items"] as? [[String: Any]] ?? []).map { item in
            ["key": item["key"] as? String ?? "", "value": item["value"] as? String ?? ""]
        }
        return .valid(
            InstanceInsert(
                name: name,
                machineType: machineType,
                confidentialType: confidential,
                onHostMaintenance: maintenance,
                labels: body["labels"] as? [String: String] ?? [:],
                metadataItems: items
            )
        )
    }

    /// Adds the instance, PROVISIONING and listed after ``Configuration/listLag``, with its insert
    /// operation (failing with `operationError`, if given). A `requestID` seen before returns
    /// that request's operation and adds nothing; nil when a live instance has the name.
    private func recordInsert(
        _ insert: InstanceInsert,
        zone: String,
        requestID: String?,
        operationError: String?,
        state: inout GCEEmulatorState,
        now: Duration
    ) -> GCEEmulatorState.Operation? {
        if let requestID, let existing = state.requestIDs[requestID], let operation = state.operations[existing] { return operation }
        let key = GCEEmulatorState.key(zone, insert.name)
        if let current = state.instances[key], !current.deleted { return nil }
        state.nextID += 1
        let id = state.nextID
        state.instances[key] = .init(
            id: id,
            name: insert.name,
            zone: zone,
            machineType: insert.machineType,
            status: "PROVISIONING",
            labels: insert.labels,
            labelFingerprint: Self.fingerprint(),
            metadataItems: insert.metadataItems,
            metadataFingerprint: Self.fingerprint(),
            created: Date(),
            confidentialType: insert.confidentialType,
            onHostMaintenance: insert.onHostMaintenance,
            listedFrom: now + self.configuration.listLag
        )
        state.order.removeAll { $0 == key }
        state.order.append(key)
        return self.newOperation(&state, now: now, zone: zone, type: "insert", target: insert.name, requestID: requestID, error: operationError)
    }

    func newOperation(
        _ state: inout GCEEmulatorState,
        now: Duration,
        zone: String,
        type: String,
        target: String,
        requestID: String?,
        error: String? = nil
    ) -> GCEEmulatorState.Operation {
        state.nextID += 1
        let name = "operation-\(Int(Date().timeIntervalSince1970 * 1000))-\(String(state.nextID, radix: 16))"
        let operation = GCEEmulatorState.Operation(
            name: name,
            id: state.nextID,
            zone: zone,
            type: type,
            target: target,
            requestID: requestID,
            inserted: Date(),
            runningFrom: now + self.configuration.pendingDuration,
            doneAt: now + self.configuration.pendingDuration + self.configuration.runningDuration,
            error: error
        )
        state.operations[name] = operation
        if let requestID { state.requestIDs[requestID] = name }
        return operation
    }

    func simpleOperation(_ request: Request, _ context: BasicRequestContext, _ type: String) async -> Response {
        let zone = context.parameters.get("zone") ?? ""
        let requestID = EmulatorResponse.query(request, "requestId")
        let operation: GCEEmulatorState.Operation? = self.withState { state, now in
            if let requestID, let existing = state.requestIDs[requestID], let operation = state.operations[existing] { return operation }
            guard let instance = self.liveInstance(state, context) else { return nil }
            return self.newOperation(&state, now: now, zone: zone, type: type, target: instance.name, requestID: requestID)
        }
        guard let operation else { return self.notFound(context) }
        return EmulatorResponse.json(.ok, self.operationJSON(operation, now: self.clock.now))
    }

    @Sendable func setLabels(_ request: Request, _ context: BasicRequestContext) async -> Response {
        let body = await EmulatorResponse.body(request)
        return self.fingerprinted(context, type: "setLabels", supplied: body["labelFingerprint"] as? String, current: \.labelFingerprint) {
            instance in
            instance.labels = body["labels"] as? [String: String] ?? [:]
            instance.labelFingerprint = Self.fingerprint()
        }
    }

    @Sendable func setMetadata(_ request: Request, _ context: BasicRequestContext) async -> Response {
        let body = await EmulatorResponse.body(request)
        return self.fingerprinted(context, type: "setMetadata", supplied: body["fingerprint"] as? String, current: \.metadataFingerprint) {
            instance in
            instance.metadataItems = (body["items"] as? [[String: Any]] ?? []).map {
                ["key": $0["key"] as? String ?? "", "value": $0["value"] as? String ?? ""]
            }
            instance.metadataFingerprint = Self.fingerprint()
        }
    }

    /// An update guarded by a fingerprint: 412 conditionNotMet when stale.
    private func fingerprinted(
        _ context: BasicRequestContext,
        type: String,
        supplied: String?,
        current: KeyPath<GCEEmulatorState.Instance, String>,
        update: (inout GCEEmulatorState.Instance) -> Void
    ) -> Response {
        let zone = context.parameters.get("zone") ?? ""
        enum Outcome {
            case missing, stale
            case done(GCEEmulatorState.Operation)
        }
        let outcome: Outcome = self.withState { state, now in
            guard var instance = self.liveInstance(state, context) else { return .missing }
            guard supplied == instance[keyPath: current] else { return .stale }
            update(&instance)
            state.instances[GCEEmulatorState.key(zone, instance.name)] = instance
            var operation = self.newOperation(&state, now: now, zone: zone, type: type, target: instance.name, requestID: nil)
            operation.runningFrom = now
            operation.doneAt = now
            state.operations[operation.name] = operation
            return .done(operation)
        }
        switch outcome {
        case .missing: return self.notFound(context)
        case .stale:
            let message =
                type == "setLabels"
                ? "Labels fingerprint either invalid or resource labels have changed"
                : "Supplied fingerprint does not match current metadata fingerprint."
            return Self.error(.preconditionFailed, "conditionNotMet", message)
        case .done(let operation): return EmulatorResponse.json(.ok, self.operationJSON(operation, now: self.clock.now))
        }
    }

    @Sendable func serialPort(_ request: Request, _ context: BasicRequestContext) async -> Response {
        guard let instance = self.withState({ state, _ in self.liveInstance(state, context) }) else { return self.notFound(context) }
        let text =
            "[    0.000000] Linux version 6.8.0 (TDX guest)\r\n[    1.234567] tdx: Guest detected\r\ndevopsdefender: \(instance.name) booted\r\n"
        let start = max(0, Int(EmulatorResponse.query(request, "start") ?? "0") ?? 0)
        let contents = start < text.utf8.count ? String(decoding: Array(text.utf8)[start...], as: UTF8.self) : ""
        return EmulatorResponse.json(
            .ok,
            ["kind": "compute#serialPortOutput", "contents": contents, "start": String(start), "next": String(text.utf8.count)]
        )
    }

    @Sendable func getOperation(_ request: Request, _ context: BasicRequestContext) async -> Response {
        let name = context.parameters.get("operation") ?? ""
        guard let operation = self.withState({ state, _ in state.operations[name] }) else {
            return Self.error(
                .notFound,
                "notFound",
                "The resource 'projects/\(self.configuration.project)/zones/\(context.parameters.get("zone") ?? "")/operations/\(name)' was not found"
            )
        }
        return EmulatorResponse.json(.ok, self.operationJSON(operation, now: self.clock.now))
    }

    /// Returns when the operation is DONE, or after at most two seconds of emulator time (the
    /// real API returns after about two minutes); callers loop, as with the real API.
    @Sendable func waitOperation(_ request: Request, _ context: BasicRequestContext) async -> Response {
        let name = context.parameters.get("operation") ?? ""
        guard let operation = self.withState({ state, _ in state.operations[name] }) else { return await self.getOperation(request, context) }
        let remaining = operation.doneAt - self.clock.now
        if remaining > .zero && !self.clock.frozen { try? await Task.sleep(for: min(remaining, .seconds(2)) / self.clock.speed) }
        return await self.getOperation(request, context)
    }

    @Sendable func imageFromFamily(_ request: Request, _ context: BasicRequestContext) async -> Response {
        let family = context.parameters.get("family") ?? ""
        let project = context.parameters.get("project") ?? ""
        return EmulatorResponse.json(
            .ok,
            [
                "kind": "compute#image", "name": "\(family)-v20261101", "family": family, "status": "READY",
                "selfLink": "https://www.googleapis.com/compute/v1/projects/\(project)/global/images/\(family)-v20261101",
                "guestOsFeatures": [["type": "TDX_CAPABLE"], ["type": "UEFI_COMPATIBLE"], ["type": "GVNIC"]],
            ]
        )
    }
}
