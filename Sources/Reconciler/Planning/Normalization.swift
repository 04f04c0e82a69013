import Spec

/// The canonical forms the planner compares, so that what the APIs echo back (case, trailing
/// dots, empty strings for absent fields, labels the writer adds) never reads as drift: a plan
/// right after an apply is empty.
public enum Normalization {
    /// Labels reserved for the writer (`dd-epoch`, its fencing epoch): kept as found, never diffed.
    public static let writerLabels: Set<String> = [LabelKey.epoch.rawValue]

    /// A DNS name: lower case, no trailing dot.
    public static func dnsName(_ name: String) -> String {
        var name = name.lowercased()
        while name.hasSuffix(".") { name.removeLast() }
        return name
    }

    /// The CNAME target of a tunnel.
    public static func tunnelTarget(_ tunnelID: String) -> String { "\(tunnelID.lowercased()).cfargotunnel.com" }

    /// Ingress rules: host names in canonical form, an empty host name meaning the catch-all.
    public static func ingress(_ rules: [IngressRule]) -> [IngressRule] {
        rules.map { rule in
            let host = rule.hostname.map(Self.dnsName)
            return IngressRule(hostname: host?.isEmpty == true ? nil : host, service: rule.service.trimmingSpaces)
        }
    }

    /// Labels without the writer's own.
    public static func labels(_ labels: [String: String]) -> [String: String] {
        labels.filter { !Self.writerLabels.contains($0.key) }
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        var text = Substring(self)
        while text.first == " " { text.removeFirst() }
        while text.last == " " { text.removeLast() }
        return String(text)
    }
}
