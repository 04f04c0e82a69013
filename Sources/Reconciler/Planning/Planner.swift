import Crypto
import Encoding
import Spec

/// The pure heart of the reconciler: desired state + observed state → ``Plan``.
///
/// Rules, in order of precedence:
/// 1. Only objects carrying the fleet's ownership marks (``OwnershipMarks``) are updated or
///    deleted. A foreign DNS record on a wanted name is a refusal, never an overwrite.
/// 2. Creation runs VM → tunnel → ingress → DNS; removal runs the other way (DNS → tunnel → VM),
///    so a hostname never points at a tunnel that is gone.
/// 3. A pool whose generation changed rolls out create-before-destroy: an old VM (and its tunnel
///    and records) goes only after its replacement's chain is in place, and at most
///    ``PlannerOptions/maxSurge`` replacements run ahead of the deletions.
/// 4. With any source partial, or an observation older than the allowed age, the plan deletes
///    nothing (and pauses what waits on those deletions).
/// 5. Unreadable is not absent: a partial source may hold objects it did not list, so the plan
///    creates nothing of that source's kind either (and pauses what waits on those creations).
/// 6. Refusals: an empty desired set, a protected environment's control plane deleted without a
///    successor, more deletions than the circuit breaker allows, a foreign record in the way.
/// 7. A control plane reconciles its own environment only (``PlannerOptions/environmentScope``):
///    the desired state is restricted to the scope, and owned objects outside it are neither
///    updated nor deleted nor counted, however the desired state or the world looks.
public enum Planner {
    /// Plans the changes that take `observed` to `desired`.
    public static func plan(desired: DesiredState, observed: ObservedState, marks: OwnershipMarks, options: PlannerOptions) -> Plan {
        var builder = PlanBuilder(desired: desired, observed: observed, marks: marks, options: options)
        return builder.build()
    }

    /// A short digest of an `ee-config` value, shown instead of the value itself.
    public static func digest(_ value: String) -> String {
        Hex.encode(SHA256.hash(data: Array(value.utf8)).prefix(6))
    }
}
