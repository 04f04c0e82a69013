import Reconciler

/// The error `plan` and `apply` print when a source cannot be read at all: one line per cause
/// (Cloudflare's tunnels and DNS refused for the same token are one line), naming the sources,
/// the cause and the fix.
enum UnreadableReport {
    /// `error: cannot read cloudflare.tunnels, cloudflare.dns: …; fix: …` lines, and a last line
    /// saying nothing was planned.
    static func render(_ sources: [SourceStatus]) -> String {
        var order: [String] = []
        var names: [String: [String]] = [:]
        for source in sources {
            let line = "\(source.detail ?? "unreadable")\(source.fix.map { "; fix: \($0)" } ?? "")"
            if names[line] == nil { order.append(line) }
            names[line, default: []].append(source.name.rawValue)
        }
        let lines = order.map { line in "error: cannot read \(names[line, default: []].joined(separator: ", ")): \(line)\n" }
        return lines.joined() + "Nothing was planned: a source that cannot be read is unknown, not empty.\n"
    }
}
