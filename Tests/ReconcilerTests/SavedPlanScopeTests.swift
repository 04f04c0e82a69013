import Foundation
import Reconciler
import Spec
import Testing

/// A saved plan keeps its environment scope: settings and the plan document's `inputs` round-trip
/// it, plans saved before it existed read as unscoped, and a scope change makes a saved plan stale.
@Suite struct SavedPlanScopeTests {
    static let scopes: [EnvironmentScope] = [.all, .only(["staging"], previews: false), .only(["production", "staging"], previews: true)]

    static func inputs(_ scope: EnvironmentScope) -> PlanInputs {
        PlanInputs(file: "fleet.yaml", specDigest: "s", observedDigest: "o", settings: ReconcileSettings(previews: [7], environmentScope: scope))
    }

    @Test(arguments: Self.scopes)
    func settingsRoundTripTheScope(_ scope: EnvironmentScope) throws {
        let settings = ReconcileSettings(previewScope: .exact, environmentScope: scope, maxDeletePercent: 10)
        let decoded = try JSONDecoder().decode(ReconcileSettings.self, from: JSONEncoder().encode(settings))
        #expect(decoded == settings)
        #expect(settings.plannerOptions(now: 1).environmentScope == scope)
    }

    @Test(arguments: Self.scopes)
    func thePlanDocumentsInputsRoundTripTheScope(_ scope: EnvironmentScope) throws {
        let inputs = Self.inputs(scope)
        let fromDocument = try JSONDecoder().decode(PlanInputs.self, from: Data(inputs.structured.json().utf8))
        let fromCoder = try JSONDecoder().decode(PlanInputs.self, from: JSONEncoder().encode(inputs))
        #expect(fromDocument == inputs && fromCoder == inputs)
    }

    @Test func theScopesJSONShape() throws {
        let scoped = Self.inputs(.only(["staging", "production"], previews: true)).structured.json()
        #expect(scoped.contains(#""environmentScope":{"environments":["production","staging"],"previews":true}"#), "\(scoped)")
        #expect(Self.inputs(.all).structured.json().contains(#""environmentScope":"all""#))
    }

    @Test func aPlanSavedBeforeScopesReadsAsUnscoped() throws {
        let old = #"{"file":"fleet.yaml","specDigest":"s","observedDigest":"o","previews":[7],"previewScope":"exact","maxSurge":1}"#
        let inputs = try JSONDecoder().decode(PlanInputs.self, from: Data(old.utf8))
        #expect(inputs.settings.environmentScope == .all && inputs.settings.previewScope == .exact)
    }

    @Test(arguments: [#""everything""#, #"{"environments":["staging"]}"#, #"["staging"]"#])
    func aMalformedScopeIsAnError(_ scope: String) {
        let json = #"{"file":"fleet.yaml","specDigest":"s","observedDigest":"o","environmentScope":\#(scope)}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(PlanInputs.self, from: Data(json.utf8)) }
    }

    @Test func aDifferentScopeMakesASavedPlanStale() {
        let plan = Plan(fleet: "devopsdefender", environments: [], actions: [])
        let saved = Self.inputs(.only(["staging"], previews: false))
        #expect(saved.staleness(current: saved, plan: plan, savedActions: []).isEmpty)
        let reasons = saved.staleness(current: Self.inputs(.only(["production"], previews: false)), plan: plan, savedActions: [])
        #expect(reasons == ["it was made for staging, not production"])
        #expect(Self.inputs(.all).staleness(current: saved, plan: plan, savedActions: []) == ["it was made for all environments, not staging"])
    }
}
