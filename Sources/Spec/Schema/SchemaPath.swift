/// Where a node sits in the document, like `environments.production.pools[0]`; built only when a
/// message needs it.
struct SchemaPath {
    private enum Component {
        case key(String)
        case index(Int)
    }

    private var components: [Component] = []

    mutating func push(key: String) { self.components.append(.key(key)) }
    mutating func push(index: Int) { self.components.append(.index(index)) }
    mutating func pop() { self.components.removeLast() }

    /// The dotted path, or "the document" at the top.
    var rendered: String {
        guard !self.components.isEmpty else { return "the top level" }
        var text = ""
        for component in self.components {
            switch component {
            case .key(let key):
                if !text.isEmpty { text += "." }
                text += key
            case .index(let index): text += "[\(index)]"
            }
        }
        return text
    }
}
