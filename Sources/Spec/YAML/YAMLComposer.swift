import CLibYAML

/// Composes a YAML document into ``YAMLNode``s by driving libyaml's event parser directly.
///
/// Driving the events ourselves lets us refuse hostile input before it costs anything: nesting
/// is bounded, aliases are counted by the size of what they copy (so a "billion laughs" file is
/// refused after a few thousand nodes, not after exhausting memory), explicit tags are refused,
/// a second document is refused, and every node keeps its exact line and column.
public enum YAMLComposer {
    /// Composes the single document in `bytes`. Returns nil after reporting why not.
    public static func compose(
        _ bytes: [UInt8],
        limits: YAMLLimits = YAMLLimits(),
        diagnostics: inout DiagnosticCollector
    ) -> YAMLNode? {
        guard let body = SourceScreening.screen(bytes, limits: limits, diagnostics: &diagnostics) else {
            return nil
        }
        return body.withUnsafeBufferPointer { buffer -> YAMLNode? in
            let parser = EventParser(buffer)
            defer { parser.close() }
            var composer = Composition(parser: parser, limits: limits)
            do {
                let root = try composer.composeStream(diagnostics: &diagnostics)
                return root
            } catch let failure as CompositionFailure {
                diagnostics.error(failure.rule, failure.message, hint: failure.hint, at: failure.location)
                return nil
            } catch {
                diagnostics.error(.yamlSyntax, "\(error)", at: nil)
                return nil
            }
        }
    }
}

/// A problem that stops composition.
struct CompositionFailure: Error {
    var rule: DiagnosticRule
    var message: String
    var hint: String?
    var location: SourceLocation?
}

/// One libyaml event, copied out of C memory.
private enum Event {
    case streamStart
    case streamEnd
    case documentStart
    case documentEnd
    case alias(anchor: String)
    case scalar(text: String, style: YAMLScalar.Style, anchor: String?, tag: String?)
    case sequenceStart(anchor: String?, tag: String?)
    case sequenceEnd
    case mappingStart(anchor: String?, tag: String?)
    case mappingEnd
}

/// Owns a libyaml parser reading from a buffer that outlives it.
private final class EventParser {
    private let parser: UnsafeMutablePointer<yaml_parser_t>

    init(_ buffer: UnsafeBufferPointer<UInt8>) {
        self.parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        yaml_parser_initialize(self.parser)
        yaml_parser_set_encoding(self.parser, YAML_UTF8_ENCODING)
        yaml_parser_set_input_string(self.parser, buffer.baseAddress, buffer.count)
    }

    func close() {
        yaml_parser_delete(self.parser)
        self.parser.deallocate()
    }

    /// The next event and where it starts.
    func next() throws(CompositionFailure) -> (Event, SourceLocation) {
        var raw = yaml_event_t()
        guard yaml_parser_parse(self.parser, &raw) == 1 else {
            throw self.syntaxFailure()
        }
        defer { yaml_event_delete(&raw) }
        let location = SourceLocation(line: Int(raw.start_mark.line) + 1, column: Int(raw.start_mark.column) + 1)
        let event: Event
        switch raw.type {
        case YAML_STREAM_START_EVENT: event = .streamStart
        case YAML_STREAM_END_EVENT: event = .streamEnd
        case YAML_DOCUMENT_START_EVENT: event = .documentStart
        case YAML_DOCUMENT_END_EVENT: event = .documentEnd
        case YAML_ALIAS_EVENT: event = .alias(anchor: Self.string(raw.data.alias.anchor) ?? "")
        case YAML_SCALAR_EVENT:
            let scalar = raw.data.scalar
            let text = scalar.value.map {
                String(decoding: UnsafeBufferPointer(start: $0, count: Int(scalar.length)), as: UTF8.self)
            }
            let style: YAMLScalar.Style =
                switch scalar.style {
                case YAML_SINGLE_QUOTED_SCALAR_STYLE: .singleQuoted
                case YAML_DOUBLE_QUOTED_SCALAR_STYLE: .doubleQuoted
                case YAML_LITERAL_SCALAR_STYLE: .literal
                case YAML_FOLDED_SCALAR_STYLE: .folded
                default: .plain
                }
            event = .scalar(text: text ?? "", style: style, anchor: Self.string(scalar.anchor), tag: Self.string(scalar.tag))
        case YAML_SEQUENCE_START_EVENT:
            let start = raw.data.sequence_start
            event = .sequenceStart(anchor: Self.string(start.anchor), tag: Self.string(start.tag))
        case YAML_SEQUENCE_END_EVENT: event = .sequenceEnd
        case YAML_MAPPING_START_EVENT:
            let start = raw.data.mapping_start
            event = .mappingStart(anchor: Self.string(start.anchor), tag: Self.string(start.tag))
        case YAML_MAPPING_END_EVENT: event = .mappingEnd
        default:
            throw CompositionFailure(rule: .yamlSyntax, message: "unexpected YAML event", location: location)
        }
        return (event, location)
    }

    private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: $0) }
    }

    private func syntaxFailure() -> CompositionFailure {
        let state = self.parser.pointee
        let problem = state.problem.map { String(cString: $0) } ?? "malformed YAML"
        let context = state.context.map { String(cString: $0) }
        let mark = state.problem_mark
        var message = problem
        if let context {
            let contextLocation = "\(state.context_mark.line + 1):\(state.context_mark.column + 1)"
            message += " (\(context) at \(contextLocation))"
        }
        let hint: String? =
            switch problem {
            case let text where text.contains("tab"): "indent with spaces; YAML does not allow tabs for indentation"
            case let text where text.contains("mapping values are not allowed"):
                "a value containing ': ' must be quoted, or the indentation is off"
            case let text where text.contains("could not find expected ':'"): "a key is missing its ':' or a quote is unclosed"
            default: nil
            }
        return CompositionFailure(
            rule: .yamlSyntax,
            message: message,
            hint: hint,
            location: SourceLocation(line: Int(mark.line) + 1, column: Int(mark.column) + 1)
        )
    }
}

/// The composition of one stream: anchors seen so far and the alias budget.
private struct Composition {
    let parser: EventParser
    let limits: YAMLLimits
    /// Anchored nodes and how many nodes each stands for once expanded.
    var anchors: [String: (node: YAMLNode, weight: Int)] = [:]
    /// Nodes composed so far, counting every alias as a full copy of its anchor.
    var expandedNodes = 0

    init(parser: EventParser, limits: YAMLLimits) {
        self.parser = parser
        self.limits = limits
    }

    mutating func composeStream(diagnostics: inout DiagnosticCollector) throws(CompositionFailure) -> YAMLNode? {
        guard case .streamStart = try self.parser.next().0 else {
            throw CompositionFailure(rule: .yamlSyntax, message: "expected the start of a YAML stream", location: nil)
        }
        let (first, firstLocation) = try self.parser.next()
        switch first {
        case .streamEnd:
            diagnostics.error(
                .emptyDocument,
                "the file holds no YAML document",
                hint: "start from examples/fleet.yaml",
                at: firstLocation
            )
            return nil
        case .documentStart: break
        default: throw CompositionFailure(rule: .yamlSyntax, message: "expected a YAML document", location: firstLocation)
        }
        let (rootEvent, rootLocation) = try self.parser.next()
        let root = try self.compose(rootEvent, at: rootLocation, depth: 1, diagnostics: &diagnostics).node
        guard case .documentEnd = try self.parser.next().0 else {
            throw CompositionFailure(rule: .yamlSyntax, message: "expected the end of the document", location: nil)
        }
        let (after, afterLocation) = try self.parser.next()
        if case .documentStart = after {
            throw CompositionFailure(
                rule: .multipleDocuments,
                message: "the file holds more than one YAML document",
                hint: "a fleet file is one document; remove the '---' separator and what follows, or split it into files",
                location: afterLocation
            )
        }
        return root
    }

    private mutating func count(_ weight: Int, at location: SourceLocation) throws(CompositionFailure) {
        self.expandedNodes += weight
        if self.expandedNodes > self.limits.maximumExpandedNodes {
            throw CompositionFailure(
                rule: .aliasExpansion,
                message:
                    "aliases expand the document past \(self.limits.maximumExpandedNodes) nodes; this looks like an alias bomb (\"billion laughs\")",
                hint: "use fewer or smaller aliases, or `from:` inheritance between environments",
                location: location
            )
        }
    }

    private func checkTag(_ tag: String?, allowed: Set<String>, at location: SourceLocation, diagnostics: inout DiagnosticCollector) {
        guard let tag, !allowed.contains(tag) else { return }
        diagnostics.error(
            .yamlTag,
            "explicit YAML tags such as '\(tag)' are not accepted",
            hint: "remove the tag; fleet files hold plain data, never language-specific objects",
            at: location
        )
    }

    private mutating func compose(
        _ event: Event,
        at location: SourceLocation,
        depth: Int,
        diagnostics: inout DiagnosticCollector
    ) throws(CompositionFailure) -> (node: YAMLNode, weight: Int) {
        if depth > self.limits.maximumDepth {
            throw CompositionFailure(
                rule: .nestingTooDeep,
                message: "the document nests deeper than \(self.limits.maximumDepth) levels",
                hint: "a fleet file never needs this much nesting; check the indentation",
                location: location
            )
        }
        switch event {
        case .alias(let anchor):
            return try self.composeAlias(anchor, at: location, diagnostics: &diagnostics)

        case .scalar(let text, let style, let anchor, let tag):
            self.checkTag(tag, allowed: Self.scalarTags, at: location, diagnostics: &diagnostics)
            try self.count(1, at: location)
            // `!!str` forces a string, as quoting would.
            let effectiveStyle = tag == Self.stringTag && style == .plain ? .singleQuoted : style
            let node = YAMLNode(.scalar(YAMLScalar(text: text, style: effectiveStyle)), at: location)
            if let anchor { self.anchors[anchor] = (node, 1) }
            return (node, 1)

        case .sequenceStart(let anchor, let tag):
            self.checkTag(tag, allowed: [Self.sequenceTag], at: location, diagnostics: &diagnostics)
            try self.count(1, at: location)
            let composed = try self.composeSequence(at: location, depth: depth, diagnostics: &diagnostics)
            if let anchor { self.anchors[anchor] = composed }
            return composed

        case .mappingStart(let anchor, let tag):
            self.checkTag(tag, allowed: [Self.mappingTag], at: location, diagnostics: &diagnostics)
            try self.count(1, at: location)
            let composed = try self.composeMapping(at: location, depth: depth, diagnostics: &diagnostics)
            if let anchor { self.anchors[anchor] = composed }
            return composed

        default:
            throw CompositionFailure(rule: .yamlSyntax, message: "unexpected YAML structure", location: location)
        }
    }

    /// The anchored node (counted again, toward the alias-bomb budget), or an empty scalar after
    /// reporting an alias without an anchor.
    private mutating func composeAlias(
        _ anchor: String,
        at location: SourceLocation,
        diagnostics: inout DiagnosticCollector
    ) throws(CompositionFailure) -> (node: YAMLNode, weight: Int) {
        guard let anchored = self.anchors[anchor] else {
            diagnostics.error(
                .undefinedAlias,
                "the alias '*\(anchor)' names no anchor defined before it",
                hint: "define '&\(anchor)' earlier in the file",
                at: location
            )
            try self.count(1, at: location)
            return (YAMLNode(.scalar(YAMLScalar(text: "", style: .plain)), at: location), 1)
        }
        try self.count(anchored.weight, at: location)
        return anchored
    }

    /// The items up to the sequence's end.
    private mutating func composeSequence(
        at location: SourceLocation,
        depth: Int,
        diagnostics: inout DiagnosticCollector
    ) throws(CompositionFailure) -> (node: YAMLNode, weight: Int) {
        var items: [YAMLNode] = []
        var weight = 1
        while true {
            let (next, nextLocation) = try self.parser.next()
            if case .sequenceEnd = next { break }
            let item = try self.compose(next, at: nextLocation, depth: depth + 1, diagnostics: &diagnostics)
            items.append(item.node)
            weight += item.weight
        }
        return (YAMLNode(.sequence(items), at: location), weight)
    }

    /// The pairs up to the mapping's end; a pair whose key is not a scalar is reported and left out.
    private mutating func composeMapping(
        at location: SourceLocation,
        depth: Int,
        diagnostics: inout DiagnosticCollector
    ) throws(CompositionFailure) -> (node: YAMLNode, weight: Int) {
        var pairs: [YAMLPair] = []
        var weight = 1
        while true {
            let (keyEvent, keyLocation) = try self.parser.next()
            if case .mappingEnd = keyEvent { break }
            let key = try self.compose(keyEvent, at: keyLocation, depth: depth + 1, diagnostics: &diagnostics)
            let (valueEvent, valueLocation) = try self.parser.next()
            let value = try self.compose(valueEvent, at: valueLocation, depth: depth + 1, diagnostics: &diagnostics)
            weight += key.weight + value.weight
            guard let keyScalar = key.node.scalar else {
                diagnostics.error(
                    .complexKey,
                    "a mapping key must be a plain value, not \(key.node.kindDescription)",
                    hint: "use a name as the key",
                    at: keyLocation
                )
                continue
            }
            pairs.append(YAMLPair(key: YAMLKey(text: keyScalar.text, at: keyLocation), value: value.node))
        }
        return (YAMLNode(.mapping(pairs), at: location), weight)
    }

    private static let stringTag = "tag:yaml.org,2002:str"
    private static let sequenceTag = "tag:yaml.org,2002:seq"
    private static let mappingTag = "tag:yaml.org,2002:map"
    private static let scalarTags: Set<String> = [
        stringTag, "tag:yaml.org,2002:int", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null", "tag:yaml.org,2002:float",
    ]
}
