/// A whole number of minutes, hours or days, written `30m`, `72h` or `7d`.
public struct FleetDuration: Sendable, Hashable, CustomStringConvertible {
    /// The length in seconds.
    public var seconds: Int
    /// The text it was written as.
    public var description: String

    /// Parses `30m`, `72h` or `7d`; nil for anything else (or a duration over ten years).
    public init?(parsing text: String) {
        guard let unit = text.last, let count = Int(text.dropLast()), count > 0, text.first != "+", text.first != "0" else {
            return nil
        }
        let multiplier: Int
        switch unit {
        case "m": multiplier = 60
        case "h": multiplier = 3600
        case "d": multiplier = 86_400
        default: return nil
        }
        let (seconds, overflow) = count.multipliedReportingOverflow(by: multiplier)
        guard !overflow, seconds <= 10 * 365 * 86_400 else { return nil }
        self.seconds = seconds
        self.description = text
    }
}

extension FleetDuration {
    /// 72 hours: how long a preview lives by default.
    public static let defaultPreviewTTL = FleetDuration(seconds: 72 * 3600, description: "72h")

    private init(seconds: Int, description: String) {
        self.seconds = seconds
        self.description = description
    }
}
