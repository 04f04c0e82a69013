import Foundation
import TestSupport
import Testing

/// Runs `dcap_qvl_oracle.py` with the interop virtualenv's Python (`DD_PYTHON`, set by `make test`).
enum PythonOracle {
    struct Case: Encodable {
        var name: String
        var quote: String
        var collateral: String?
        var root_der: String?
        var now: Int
    }

    struct Result: Decodable {
        var name: String
        var parsed: Bool
        var fields: [String: FieldValue]?
        var verified: Bool?
        var status: String?
        var error: String?
    }

    enum FieldValue: Decodable, Equatable {
        case number(Int)
        case text(String)
        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(Int.self) { self = .number(number) } else { self = .text(try container.decode(String.self)) }
        }
        var text: String? { if case .text(let value) = self { value } else { nil } }
        var number: Int? { if case .number(let value) = self { value } else { nil } }
    }

    /// The interpreter, or nil when `DD_PYTHON` is unset (a failure under CI).
    static func python() -> String? { TestEnvironment.python(for: "dcap-qvl") }

    /// Writes every quote (and collateral) to a scratch directory and runs the oracle once.
    static func run(
        python: String,
        quotes: [(name: String, bytes: [UInt8])],
        collateral: Data? = nil,
        rootDER: [UInt8]? = nil,
        now: Date
    ) async throws -> [String: Result] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dd-dcap-qvl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var collateralPath: String?
        var rootPath: String?
        if let collateral, let rootDER {
            collateralPath = directory.appendingPathComponent("collateral.json").path
            rootPath = directory.appendingPathComponent("root.der").path
            try collateral.write(to: URL(fileURLWithPath: collateralPath!))
            try Data(rootDER).write(to: URL(fileURLWithPath: rootPath!))
        }
        var cases: [Case] = []
        for (index, quote) in quotes.enumerated() {
            let path = directory.appendingPathComponent("q\(index).dat").path
            try Data(quote.bytes).write(to: URL(fileURLWithPath: path))
            cases.append(Case(name: quote.name, quote: path, collateral: collateralPath, root_der: rootPath, now: Int(now.timeIntervalSince1970)))
        }
        let casesFile = directory.appendingPathComponent("cases.json")
        try JSONEncoder().encode(cases).write(to: casesFile)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("dcap_qvl_oracle.py").path
        let arguments = [script, casesFile.path]
        let data = try await TestEnvironment.offPool { try Self.execute(python: python, arguments: arguments) }
        let results = try JSONDecoder().decode([Result].self, from: data)
        return Dictionary(uniqueKeysWithValues: results.map { ($0.name, $0) })
    }

    /// Runs an inline script off the cooperative pool and returns its standard output.
    static func runScript(python: String, script: String, arguments: [String]) async throws -> Data {
        try await TestEnvironment.offPool { try Self.execute(python: python, arguments: ["-c", script] + arguments) }
    }

    /// Runs Python with `arguments` and returns its standard output; a non-zero exit throws.
    private static func execute(python: String, arguments: [String]) throws -> Data {
        let result = try TestEnvironment.run(URL(fileURLWithPath: python), arguments)
        guard result.status == 0 else {
            throw OracleError(
                description: "python \(arguments.prefix(1).joined()) exited with \(result.status): \(result.standardError.suffix(2000))"
            )
        }
        return Data(result.standardOutput.utf8)
    }

    struct OracleError: Error, CustomStringConvertible {
        var description: String
    }
}
