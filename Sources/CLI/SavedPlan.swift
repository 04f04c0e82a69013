import Foundation
import Reconciler
import Spec

/// A plan saved with `plan --out`: the JSON document, of which apply reads the action ids and
/// the ``PlanInputs`` needed to check that neither the spec nor the world changed since.
struct SavedPlan {
    var inputs: PlanInputs
    var actionIDs: [String]

    struct Unreadable: Error, CustomStringConvertible {
        var description: String
    }

    /// The parts of the saved document apply reads.
    private struct Document: Decodable {
        struct Action: Decodable { var id: String }
        var formatVersion: Int
        var actions: [Action]
        var inputs: PlanInputs?
    }

    /// Only the shape that tells a saved plan from other JSON.
    private struct Shape: Decodable {
        var formatVersion: Int?
        var actions: [Document.Action]?
        var inputs: [String: JSONValue]?
    }

    /// Any JSON value (the shape check does not care what the inputs hold).
    private struct JSONValue: Decodable {
        init(from decoder: any Decoder) throws {}
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
            let shape = try? JSONDecoder().decode(Shape.self, from: data)
        else { return false }
        return shape.formatVersion != nil && shape.actions != nil && shape.inputs != nil
    }

    /// Reads a saved plan.
    static func read(_ path: String) throws -> SavedPlan {
        guard let data = FileManager.default.contents(atPath: path) else { throw Unreadable(description: "\(path): cannot read the file") }
        guard let shape = try? JSONDecoder().decode(Shape.self, from: data) else {
            throw Unreadable(description: "\(path): not JSON; give a fleet file or a plan saved with `plan --out`")
        }
        guard shape.formatVersion == Plan.formatVersion else {
            throw Unreadable(
                description:
                    "\(path): plan format version \(shape.formatVersion.map(String.init) ?? "missing"); this devopsdefender reads version \(Plan.formatVersion)"
            )
        }
        let document: Document
        do {
            document = try JSONDecoder().decode(Document.self, from: data)
        } catch {
            throw Unreadable(
                description:
                    "\(path): the plan's inputs are damaged (\(Self.describe(error))); save it again with `devopsdefender plan FILE --out PLAN`"
            )
        }
        guard let inputs = document.inputs else {
            throw Unreadable(description: "\(path): the plan has no inputs; save plans with `devopsdefender plan FILE --out PLAN`")
        }
        return SavedPlan(inputs: inputs, actionIDs: document.actions.map(\.id))
    }

    /// A decoding error in a sentence: which key, and what is wrong with it.
    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return "\((context.codingPath + [key]).map(\.stringValue).joined(separator: ".")) is missing"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context), DecodingError.dataCorrupted(let context):
            return "\(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)"
        default:
            return "\(error)"
        }
    }
}
