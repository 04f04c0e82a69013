import ProviderSupport
import Reconciler
import Spec

/// GCE behind the reconciler's ``ComputePort``: bulk aggregated lists by label, inserts with a
/// `requestId`, fingerprinted label and metadata updates, and waits on every operation.
public struct GCEComputeAdapter<C: Clock>: ComputePort where C.Duration == Duration {
    /// The client.
    public var client: GCEClient<C>
    /// Where the credentials came from, for the fix an unreadable list names
    /// (`the key file in DD_GCE_CREDENTIALS`, `the metadata server's service account`).
    public var credentialSource: String

    /// Wraps a client.
    public init(client: GCEClient<C>, credentialSource: String = "the GCE credentials") {
        self.client = client
        self.credentialSource = credentialSource
    }

    public func listInstances(fleet: String) async throws -> [ObservedVM] {
        do {
            return try await self.client.aggregatedInstances(filter: LabelKey.fleet.gceFilter(equals: fleet)).flatMap { scope, instances in
                instances.map { Self.observed($0, zone: scope) }
            }
        } catch let error as ProviderError where error.code == .auth || error.code == .notFound || error.code == .permanent {
            throw self.unreadable(error)
        }
    }

    /// A list refused for the credentials or the project: no retry helps.
    private func unreadable(_ error: ProviderError) -> SourceUnreadable {
        let project = self.client.project
        let status = error.httpStatus.map { "HTTP \($0)" + (error.providerCode.map { ", \($0)" } ?? "") } ?? "no status"
        let fix =
            switch error.httpStatus {
            case 401: "check \(self.credentialSource): the token was not accepted"
            case 403:
                "grant \(self.credentialSource) roles/compute.viewer (compute.instances.list) on project \(project), "
                    + "or fix providers.gce.project"
            default: "check providers.gce.project (\(project)) and that \(self.credentialSource) can read it"
            }
        return SourceUnreadable(cause: "GCE cannot list the instances of project \(project) (\(status): \(error.message))", fix: fix)
    }

    /// What the planner reads from an instance as listed.
    public static func observed(_ instance: GCEInstance, zone: String) -> ObservedVM {
        ObservedVM(
            name: instance.name,
            zone: Self.lastComponent(instance.zone ?? zone),
            status: VMStatus(gceStatus: instance.status),
            labels: instance.labels ?? [:],
            eeConfig: instance.metadata?.items?.first { $0.key == "ee-config" }?.value
        )
    }

    public func createInstance(_ vm: DesiredVM, requestID: String) async throws -> ApplyOutcome {
        let spec = GCEInstanceSpec(
            name: vm.name,
            zone: vm.zone,
            machineType: vm.machineType,
            sourceImage: "projects/\(vm.image.project)/global/images/family/\(vm.image.family)",
            diskSizeGb: vm.diskGb,
            network: vm.network.contains("/") ? vm.network : "global/networks/\(vm.network)",
            subnetwork: vm.subnetwork.map { $0.contains("/") ? $0 : "regions/\(Self.region(of: vm.zone))/subnetworks/\($0)" },
            serviceAccount: vm.serviceAccount,
            metadata: [GCEMetadata.Item(key: "ee-config", value: vm.eeConfig.metadataValue)],
            labels: vm.labels
        )
        do {
            let operation = try await self.client.insert(spec, requestID: requestID)
            _ = try await self.client.waitUntilDone(operation, zone: vm.zone)
            return .done
        } catch let error as ProviderError where error.code == .conflict {
            let existing = try await self.client.instance(zone: vm.zone, name: vm.name)
            guard existing.labels?[label: .fleet] == vm.labels[label: .fleet] else {
                throw ProviderError(
                    .conflict,
                    provider: "gce",
                    operation: "instances.insert",
                    message: "instance \(vm.name) exists in \(vm.zone) without this fleet's dd-fleet label; rename or delete it by hand"
                )
            }
            return .adopted
        } catch let error as ProviderError where error.providerCode?.hasPrefix("ZONE_RESOURCE_POOL_EXHAUSTED") == true {
            throw StockoutError(message: "\(vm.zone) has no capacity for \(vm.machineType) right now (\(error.message))")
        }
    }

    public func setLabels(zone: String, name: String, labels: [String: String]) async throws {
        try await self.withFreshFingerprint {
            let instance = try await self.client.instance(zone: zone, name: name)
            let operation = try await self.client.setLabels(zone: zone, name: name, labels: labels, fingerprint: instance.labelFingerprint ?? "")
            _ = try await self.client.waitUntilDone(operation, zone: zone)
        }
    }

    public func setMetadata(zone: String, name: String, key: String, value: String) async throws {
        try await self.withFreshFingerprint {
            let instance = try await self.client.instance(zone: zone, name: name)
            var items = (instance.metadata?.items ?? []).filter { $0.key != key }
            items.append(GCEMetadata.Item(key: key, value: value))
            let operation = try await self.client.setMetadata(zone: zone, name: name, items: items, fingerprint: instance.metadata?.fingerprint ?? "")
            _ = try await self.client.waitUntilDone(operation, zone: zone)
        }
    }

    public func start(zone: String, name: String, requestID: String) async throws {
        let operation = try await self.client.start(zone: zone, name: name, requestID: requestID)
        _ = try await self.client.waitUntilDone(operation, zone: zone)
    }

    public func deleteInstance(zone: String, name: String, requestID: String) async throws -> ApplyOutcome {
        do {
            let operation = try await self.client.delete(zone: zone, name: name, requestID: requestID)
            _ = try await self.client.waitUntilDone(operation, zone: zone)
            return .done
        } catch let error as ProviderError where error.code == .notFound {
            return .adopted
        }
    }

    /// Label and metadata writes carry a fingerprint; when someone else wrote in between (412),
    /// read again and retry, a few times.
    private func withFreshFingerprint(_ body: () async throws -> Void) async throws {
        var attempt = 0
        while true {
            do {
                return try await body()
            } catch let error as ProviderError where error.httpStatus == 412 && attempt < 3 {
                attempt += 1
            }
        }
    }

    static func lastComponent(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }

    static func region(of zone: String) -> String {
        zone.split(separator: "-").dropLast().joined(separator: "-")
    }
}
