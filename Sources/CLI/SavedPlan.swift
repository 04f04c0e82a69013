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

    /// The largest saved plan read (a plan of ten thousand VMs is a few megabytes).
    static let maximumBytes = 256 << 20

    /// The saved plan at `path`, or nil when the file is not one (a fleet file, which may be
    /// JSON too — YAML's flow style — or another command's JSON output): only a JSON object with
    /// `formatVersion`, `actions` and `inputs` is a saved plan. The file is read once, only when
    /// it is a regular file within ``maximumBytes``; an error never quotes the file.
    static func load(_ path: String) throws -> SavedPlan? {
        let bytes: [UInt8]
        do {
            bytes = try BoundedFile.read(path, maximumBytes: Self.maximumBytes)
        } catch {
            // Not readable as a plan: whatever it is, the fleet-file path reports it.
            return nil
        }
        let data = Data(bytes)
        guard String(decoding: bytes.prefix(64), as: UTF8.self).drop(while: \.isWhitespace).first == "{",
            let shape = try? JSONDecoder().decode(Shape.self, from: data),
            shape.formatVersion != nil && shape.actions != nil && shape.inputs != nil
        else { return nil }
        return try Self.decode(data, shape: shape, path: path)
    }

    /// Reads a saved plan.
    private static func decode(_ data: Data, shape: Shape, path: String) throws -> SavedPlan {
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
