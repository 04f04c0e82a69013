/// A hostname template such as `app.{domain}` or `pr-{number}.{domain}`.
public struct HostnameTemplate: Sendable, Hashable {
    /// One `{variable}` in a template.
    public struct Variable: Sendable, Hashable {
        /// The variable's name, without braces.
        public var name: String
        /// The UTF-8 offset of its `{` in the template.
        public var offset: Int
    }

    /// The template's text.
    public var text: String

    /// Creates a template.
    public init(_ text: String) {
        self.text = text
    }

    /// The variables the template uses, in order; an unclosed `{` is reported as a variable named
    /// by the rest of the text.
    public var variables: [Variable] {
        var result: [Variable] = []
        let bytes = Array(self.text.utf8)
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "{") {
                var end = index + 1
                while end < bytes.count, bytes[end] != UInt8(ascii: "}") { end += 1 }
                result.append(Variable(name: String(decoding: bytes[(index + 1)..<end], as: UTF8.self), offset: index))
                index = end + 1
            } else {
                index += 1
            }
        }
        return result
    }

    /// The template with each known variable replaced; unknown ones are left as written.
    public func render(_ values: [String: String]) -> String {
        var output = ""
        var rest = Substring(self.text)
        while let open = rest.firstIndex(of: "{") {
            output += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "}") else {
                output += rest[open...]
                return output
            }
            let name = String(rest[rest.index(after: open)..<close])
            output += values[name] ?? "{\(name)}"
            rest = rest[rest.index(after: close)...]
        }
        output += rest
        return output
    }
}
