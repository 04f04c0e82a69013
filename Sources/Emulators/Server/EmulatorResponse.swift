import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Building responses and reading requests, shared by the emulators.
enum EmulatorResponse {
    /// A JSON response from a Foundation JSON object.
    static func json(_ status: HTTPResponse.Status, _ object: Any, headers: [(String, String)] = []) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        for (name, value) in headers {
            if let field = HTTPField.Name(name) { fields[field] = value }
        }
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// The request body as a JSON object (empty when absent or not an object).
    static func body(_ request: Request) async -> [String: Any] {
        guard let buffer = try? await request.body.collect(upTo: 8 << 20),
            let object = try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any]
        else { return [:] }
        return object
    }

    /// A query parameter, decoded (`+` is a space, as form encoding and Python's requests send it).
    static func query(_ request: Request, _ name: String) -> String? {
        guard let raw = request.uri.queryParameters[name[...]].map(String.init) else { return nil }
        return raw.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? raw
    }

    private static let timestampStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    /// RFC 3339 with fractional seconds, UTC.
    static func timestamp(_ date: Date) -> String {
        date.formatted(Self.timestampStyle)
    }
}
