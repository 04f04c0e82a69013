/// A TCB status as Intel's TCB Info and QE Identity state it.
public enum TCBStatus: String, Hashable, Sendable, Codable, CaseIterable, CustomStringConvertible {
    /// The platform is patched.
    case upToDate = "UpToDate"
    /// Patched, but software mitigations are needed for some advisories.
    case swHardeningNeeded = "SWHardeningNeeded"
    /// Patched, but the platform configuration needs changes.
    case configurationNeeded = "ConfigurationNeeded"
    /// Both of the above.
    case configurationAndSWHardeningNeeded = "ConfigurationAndSWHardeningNeeded"
    /// Security updates are missing.
    case outOfDate = "OutOfDate"
    /// Updates are missing and the configuration needs changes.
    case outOfDateConfigurationNeeded = "OutOfDateConfigurationNeeded"
    /// The TCB level was revoked; never acceptable.
    case revoked = "Revoked"

    public var description: String { self.rawValue }

    /// This status combined with that of another component (the TDX module, the QE), the way
    /// Intel's quote verification library converges them.
    func converged(with component: TCBStatus) -> TCBStatus {
        switch (component, self) {
        case (.revoked, _): .revoked
        case (.outOfDate, .upToDate), (.outOfDate, .swHardeningNeeded): .outOfDate
        case (.outOfDate, .configurationNeeded), (.outOfDate, .configurationAndSWHardeningNeeded): .outOfDateConfigurationNeeded
        default: self
        }
    }
}
