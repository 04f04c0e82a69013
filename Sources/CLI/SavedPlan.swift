import Foundation
import Reconciler
import Spec

/// A plan saved with `plan --out`: the JSON document plus the inputs needed to check, at apply
/// time, that neither the spec nor the world changed since.
struct SavedPlan {
    var file: String
    var specDigest: String
    var observedDigest: String
    var settings: ReconcileSettings
    var actionIDs: [String]

    struct Unreadable: Error, CustomStringConvertible {
        var description: String
    }

    /// The `inputs` object of the saved document.
    static func inputs(session: FleetSession, observed: ObservedState, settings: ReconcileSettings) -> StructuredValue {
        .object([
            ("file", .string(session.file)),
            ("specDigest", .string(session.specDigest)),
            ("observedDigest", .string(observed.digest)),
            ("previews", .array(settings.previews.map(StructuredValue.integer))),
            ("previewScope", .string(settings.previewScope == .exact ? "exact" : "untouched")),
            ("maxSurge", .integer(settings.maxSurge)),
            ("maxDeletePercent", .integer(settings.maxDeletePercent)),
            ("allowDestroy", .boolean(settings.allowDestroy)),
        ])
    }

    /// True when the file is a saved plan (a JSON object with `formatVersion`, `actions` and
    /// `inputs`) rather than a fleet file (which may be JSON too: YAML's flow style) or another
    /// command's JSON output.
    static func looksLikePlan(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 64)) ?? Data()
        guard String(decoding: head, as: UTF8.self).drop(while: \.isWhitespace).first == "{",
            let data = FileManager.default.contents(atPath: path),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return false }
        return object["formatVersion"] != nil && object["actions"] != nil && object["inputs"] != nil
    }

    /// Reads a saved plan.
    static func read(_ path: String) throws -> SavedPlan {
        guard let data = FileManager.default.contents(atPath: path) else { throw Unreadable(description: "\(path): cannot read the file") }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw Unreadable(description: "\(path): not JSON; give a fleet file or a plan saved with `plan --out`")
        }
        guard let version = object["formatVersion"] as? Int, version == Plan.formatVersion else {
            throw Unreadable(
                description:
                    "\(path): plan format version \(object["formatVersion"].map { "\($0)" } ?? "missing"); this devopsdefender reads version \(Plan.formatVersion)"
            )
        }
        guard let inputs = object["inputs"] as? [String: Any], let file = inputs["file"] as? String,
            let specDigest = inputs["specDigest"] as? String, let observedDigest = inputs["observedDigest"] as? String
        else {
            throw Unreadable(description: "\(path): the plan has no inputs; save plans with `devopsdefender plan FILE --out PLAN`")
        }
        let actions = (object["actions"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        return SavedPlan(
            file: file,
            specDigest: specDigest,
            observedDigest: observedDigest,
            settings: ReconcileSettings(
                previews: inputs["previews"] as? [Int] ?? [],
                previewScope: inputs["previewScope"] as? String == "exact" ? .exact : .untouched,
                maxSurge: inputs["maxSurge"] as? Int ?? 1,
                maxDeletePercent: inputs["maxDeletePercent"] as? Int ?? 30,
                allowDestroy: inputs["allowDestroy"] as? Bool ?? false
            ),
            actionIDs: actions
        )
    }
}
