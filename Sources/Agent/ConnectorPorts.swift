import Synchronization

/// Where this VM's `localhost` service ports really listen, for the local fleet's stand-in
/// connector: on one machine every VM's agent cannot have port 8080, so each listens where it
/// can and the connector tells the emulated edge (`8080 → 43111`). Filled in as listeners bind;
/// safe to share.
public final class ConnectorPorts: Sendable {
    private let ports = Mutex<[Int: Int]>([:])

    /// No ports mapped yet.
    public init() {}

    /// Records that the VM's `service` port is `local` on this machine.
    public func map(_ service: Int, to local: Int) {
        self.ports.withLock { $0[service] = local }
    }

    /// The ports mapped so far.
    public var snapshot: [Int: Int] { self.ports.withLock { $0 } }
}
