import Foundation
import Spec

/// Paths to the repository's fixtures and examples, found from this file's location.
enum Fixtures {
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let repositoryRoot = testsDirectory.deletingLastPathComponent().deletingLastPathComponent()
    static let invalidDirectory = testsDirectory.appendingPathComponent("Fixtures/invalid")

    static var invalidNames: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: invalidDirectory.path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.sorted()
    }

    static func bytes(_ relativePath: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: repositoryRoot.appendingPathComponent(relativePath)))
    }

    static func load(_ text: String, limits: YAMLLimits = YAMLLimits()) -> FleetSpecLoader.Result {
        FleetSpecLoader.load(Array(text.utf8), file: "test.yaml", limits: limits)
    }

    static var exampleFleet: ResolvedFleet {
        get throws {
            let result = FleetSpecLoader.load(try bytes("examples/fleet.yaml"), file: "examples/fleet.yaml")
            guard let fleet = result.fleet else {
                throw FixtureError(message: "examples/fleet.yaml is invalid: \(result.diagnostics)")
            }
            return fleet
        }
    }

    static var minimalFleetText: String {
        get throws {
            String(decoding: try bytes("Tests/SpecTests/Fixtures/valid-minimal.yaml"), as: UTF8.self)
        }
    }
}

struct FixtureError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
