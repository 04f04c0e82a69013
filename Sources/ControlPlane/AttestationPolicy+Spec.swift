import Attestation
import Spec

extension AttestationPolicy {
    /// The policy a validated fleet spec declares (the control plane's for its agents, and the one
    /// an agent reads back from `DD_CP_POLICY`). Attestation knows nothing of the fleet spec, so
    /// the mapping lives here, where both are known.
    public init(spec: AttestationPolicySpec) {
        self.init(
            hexMRTD: spec.mrtd,
            hexRTMR: spec.rtmr,
            hexMRConfigID: spec.mrConfigID,
            hexMROwner: spec.mrOwner,
            rejectDebug: spec.rejectDebug,
            hexMinimumTeeTCBSVN: spec.minimumTeeTcbSvn,
            acceptedTCBStatusNames: spec.acceptedTcbStatuses
        )
    }
}
