/// A rule a string must follow: a regular expression (exported to JSON Schema), a length limit and
/// a fast native check that matches the expression exactly.
public struct StringRule: Sendable {
    /// What the rule describes, for messages: "a DNS label", "a GCE zone", …
    public var title: String
    /// The ECMA-262 regular expression the JSON Schema carries.
    public var pattern: String
    /// The longest string allowed.
    public var maximumLength: Int?
    /// The rule reported when a value breaks this one.
    public var diagnostic: DiagnosticRule
    /// How to write a valid value.
    public var hint: String
    /// The native check, equivalent to `pattern` and `maximumLength`.
    public var matches: @Sendable (String) -> Bool

    /// Creates a rule.
    public init(
        title: String,
        pattern: String,
        maximumLength: Int? = nil,
        diagnostic: DiagnosticRule = .invalidName,
        hint: String,
        matches: @escaping @Sendable (String) -> Bool
    ) {
        self.title = title
        self.pattern = pattern
        self.maximumLength = maximumLength
        self.diagnostic = diagnostic
        self.hint = hint
        self.matches = { value in
            if let maximumLength, value.utf8.count > maximumLength { return false }
            return matches(value)
        }
    }
}

/// Byte classes for the native checks.
enum ASCII {
    static func isLower(_ byte: UInt8) -> Bool { byte >= 97 && byte <= 122 }
    static func isUpper(_ byte: UInt8) -> Bool { byte >= 65 && byte <= 90 }
    static func isDigit(_ byte: UInt8) -> Bool { byte >= 48 && byte <= 57 }
    static func isHex(_ byte: UInt8) -> Bool { isDigit(byte) || (byte >= 97 && byte <= 102) || (byte >= 65 && byte <= 70) }
    static func isLowerHex(_ byte: UInt8) -> Bool { isDigit(byte) || (byte >= 97 && byte <= 102) }

    /// `first` for the first byte, `middle` for the rest, `last` also for the last one.
    static func check(
        _ value: String,
        minimum: Int = 1,
        first: (UInt8) -> Bool,
        middle: (UInt8) -> Bool,
        last: ((UInt8) -> Bool)? = nil
    ) -> Bool {
        let bytes = value.utf8
        guard bytes.count >= minimum else { return false }
        var index = 0
        for byte in bytes {
            let isLast = index == bytes.count - 1
            if index == 0 {
                guard first(byte) else { return false }
            } else {
                guard middle(byte) else { return false }
            }
            if isLast, let last, !last(byte) { return false }
            index += 1
        }
        return true
    }
}

extension StringRule {
    /// An environment name: `^[a-z0-9][a-z0-9-]*$`, at most 40 characters.
    public static let environmentName = StringRule(
        title: "an environment name",
        pattern: "^[a-z0-9][a-z0-9-]*$",
        maximumLength: 40,
        hint: "use lowercase letters, digits and '-', starting with a letter or digit, at most 40 characters"
    ) { value in
        ASCII.check(value, first: { ASCII.isLower($0) || ASCII.isDigit($0) }, middle: { ASCII.isLower($0) || ASCII.isDigit($0) || $0 == 45 })
    }

    /// A DNS label of at most `maximumLength` characters, starting with a letter.
    public static func label(_ title: String, maximumLength: Int) -> StringRule {
        StringRule(
            title: title,
            pattern: "^[a-z]([a-z0-9-]*[a-z0-9])?$",
            maximumLength: maximumLength,
            hint: "use lowercase letters, digits and '-', starting with a letter and not ending with '-', at most \(maximumLength) characters"
        ) { value in
            ASCII.check(
                value,
                first: ASCII.isLower,
                middle: { ASCII.isLower($0) || ASCII.isDigit($0) || $0 == 45 },
                last: { ASCII.isLower($0) || ASCII.isDigit($0) }
            )
        }
    }

    /// A GCE resource name (RFC 1035): `^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$`.
    public static let gceResourceName = label("a GCE resource name", maximumLength: 63)

    /// A GCE project id: 6 to 30 characters.
    public static let gceProject = StringRule(
        title: "a GCE project id",
        pattern: "^[a-z][a-z0-9-]{4,28}[a-z0-9]$",
        maximumLength: 30,
        hint: "a project id is 6 to 30 lowercase letters, digits or '-', starting with a letter"
    ) { value in
        ASCII.check(
            value,
            minimum: 6,
            first: ASCII.isLower,
            middle: { ASCII.isLower($0) || ASCII.isDigit($0) || $0 == 45 },
            last: { ASCII.isLower($0) || ASCII.isDigit($0) }
        )
    }

    /// A GCE zone such as `us-central1-c`.
    public static let gceZone = StringRule(
        title: "a GCE zone",
        pattern: "^[a-z]+-[a-z]+[0-9]+-[a-z]$",
        maximumLength: 63,
        hint: "write a zone like us-central1-c"
    ) { value in
        let parts = value.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, parts[0].utf8.allSatisfy(ASCII.isLower) else { return false }
        let region = parts[1].utf8
        guard let firstDigit = region.firstIndex(where: ASCII.isDigit), firstDigit != region.startIndex else { return false }
        guard region[..<firstDigit].allSatisfy(ASCII.isLower), region[firstDigit...].allSatisfy(ASCII.isDigit) else { return false }
        return parts[2].utf8.count == 1 && parts[2].utf8.allSatisfy(ASCII.isLower)
    }

    /// A GCE machine type such as `c3-standard-4`.
    public static let machineType = StringRule(
        title: "a GCE machine type",
        pattern: "^[a-z][a-z0-9]*(-[a-z0-9]+)+$",
        maximumLength: 63,
        hint: "write a machine type like c3-standard-4"
    ) { value in
        let parts = value.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 2, let head = parts.first?.utf8.first, ASCII.isLower(head) else { return false }
        return parts.allSatisfy { part in !part.isEmpty && part.utf8.allSatisfy { ASCII.isLower($0) || ASCII.isDigit($0) } }
    }

    /// A service-account e-mail address.
    public static let serviceAccount = StringRule(
        title: "a service-account e-mail",
        pattern: "^[a-z0-9][a-z0-9.-]*@[a-z0-9][a-z0-9.-]*$",
        maximumLength: 254,
        hint: "write the account's e-mail, like dd-fleet@my-project.iam.gserviceaccount.com"
    ) { value in
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        let allowed: (UInt8) -> Bool = { ASCII.isLower($0) || ASCII.isDigit($0) || $0 == 45 || $0 == 46 }
        return parts.count == 2
            && parts.allSatisfy { part in
                guard let first = part.utf8.first, ASCII.isLower(first) || ASCII.isDigit(first) else { return false }
                return part.utf8.allSatisfy(allowed)
            }
    }

    /// A Cloudflare account or zone id: 32 lowercase hex characters.
    public static let cloudflareID = StringRule(
        title: "a Cloudflare id",
        pattern: "^[0-9a-f]{32}$",
        maximumLength: 32,
        hint: "copy the 32-character hex id from the Cloudflare dashboard's overview page"
    ) { value in value.utf8.count == 32 && value.utf8.allSatisfy(ASCII.isLowerHex) }

    /// A DNS domain such as `devopsdefender.com`.
    public static let domain = StringRule(
        title: "a DNS domain",
        pattern: "^([a-z0-9]([a-z0-9-]*[a-z0-9])?\\.)+[a-z]{2,63}$",
        maximumLength: 253,
        diagnostic: .invalidHostname,
        hint: "write the zone's domain in lowercase, like example.com"
    ) { value in DNSName.isValid(value) && value.contains(".") }

    /// A GitHub user or organisation login.
    public static let githubOwner = StringRule(
        title: "a GitHub login",
        pattern: "^[A-Za-z0-9]([A-Za-z0-9-]{0,38})$",
        maximumLength: 39,
        hint: "write the user or organisation login, like devopsdefender"
    ) { value in
        ASCII.check(
            value,
            first: { ASCII.isLower($0) || ASCII.isUpper($0) || ASCII.isDigit($0) },
            middle: { ASCII.isLower($0) || ASCII.isUpper($0) || ASCII.isDigit($0) || $0 == 45 }
        )
    }

    /// A GitHub repository `owner/name`.
    public static let githubRepository = StringRule(
        title: "a GitHub repository",
        pattern: "^[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+$",
        maximumLength: 140,
        hint: "write owner/name, like devopsdefender/dd"
    ) { value in
        let parts = value.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, githubOwner.matches(String(parts[0])), !parts[1].isEmpty else { return false }
        return parts[1].utf8.allSatisfy { ASCII.isLower($0) || ASCII.isUpper($0) || ASCII.isDigit($0) || $0 == 46 || $0 == 95 || $0 == 45 }
    }

    /// A release asset or file name: no slashes and no white space.
    public static let fileName = StringRule(
        title: "a file name",
        pattern: "^[^/\\s]+$",
        maximumLength: 255,
        hint: "write the bare file name, without a directory or spaces"
    ) { value in !value.isEmpty && value.unicodeScalars.allSatisfy { $0 != "/" && !$0.properties.isWhitespace } }

    /// A PCCS base URL: http(s), a host, an optional port and path; nothing that needs quoting.
    /// (Collateral is signed by Intel and checked, so plain http serves a local PCCS.)
    public static let pccsURL = StringRule(
        title: "a PCCS base URL",
        pattern: "^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~/-]*)?$",
        maximumLength: 256,
        diagnostic: .invalidValue,
        hint: "write the base URL, like https://pccs.example.com:8081 or https://api.trustedservices.intel.com"
    ) { value in
        let rest: Substring
        if value.hasPrefix("https://") {
            rest = value.dropFirst(8)
        } else if value.hasPrefix("http://") {
            rest = value.dropFirst(7)
        } else {
            return false
        }
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<slash].split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        let hostOK =
            !authority[0].isEmpty
            && authority[0].utf8.allSatisfy { ASCII.isLower($0) || ASCII.isUpper($0) || ASCII.isDigit($0) || $0 == 46 || $0 == 45 }
        let portOK = authority.count == 1 || (1...5).contains(authority[1].count) && authority[1].utf8.allSatisfy(ASCII.isDigit)
        let pathOK = rest[slash...].utf8.allSatisfy {
            ASCII.isLower($0) || ASCII.isUpper($0) || ASCII.isDigit($0) || [46, 95, 126, 47, 45].contains($0)
        }
        return hostOK && portOK && pathOK
    }

    /// A release tag.
    public static let releaseTag = StringRule(
        title: "a release tag",
        pattern: "^[A-Za-z0-9][A-Za-z0-9._+-]*$",
        maximumLength: 128,
        hint: "write a tag like v1.2.3 or latest"
    ) { value in
        ASCII.check(
            value,
            first: { ASCII.isLower($0) || ASCII.isUpper($0) || ASCII.isDigit($0) },
            middle: { ASCII.isLower($0) || ASCII.isUpper($0) || ASCII.isDigit($0) || $0 == 46 || $0 == 95 || $0 == 43 || $0 == 45 }
        )
    }

    /// A TDX measurement (MRTD, RTMR, MRCONFIGID, MROWNER): 48 bytes as 96 hex characters.
    public static let measurement = StringRule(
        title: "a 48-byte measurement",
        pattern: "^[0-9a-fA-F]{96}$",
        maximumLength: 96,
        diagnostic: .malformedMeasurement,
        hint: "a measurement is 48 bytes written as exactly 96 hex characters"
    ) { value in value.utf8.count == 96 && value.utf8.allSatisfy(ASCII.isHex) }

    /// A TEE TCB SVN: 16 bytes as 32 hex characters.
    public static let teeTcbSvn = StringRule(
        title: "a 16-byte TEE TCB SVN",
        pattern: "^[0-9a-fA-F]{32}$",
        maximumLength: 32,
        diagnostic: .malformedMeasurement,
        hint: "the TEE TCB SVN is 16 bytes written as exactly 32 hex characters"
    ) { value in value.utf8.count == 32 && value.utf8.allSatisfy(ASCII.isHex) }

    /// An environment-variable name.
    public static let variableName = StringRule(
        title: "an environment-variable name",
        pattern: "^[A-Za-z_][A-Za-z0-9_]*$",
        maximumLength: 128,
        hint: "use letters, digits and '_', not starting with a digit"
    ) { value in
        ASCII.check(
            value,
            first: { ASCII.isLower($0) || ASCII.isUpper($0) || $0 == 95 },
            middle: { ASCII.isLower($0) || ASCII.isUpper($0) || ASCII.isDigit($0) || $0 == 95 }
        )
    }

    /// A workload's `env` entry in EasyEnclave's `NAME=value` form.
    public static let environmentAssignment = StringRule(
        title: "a NAME=value assignment",
        pattern: "^[A-Za-z_][A-Za-z0-9_]*=",
        diagnostic: .invalidValue,
        hint: "write NAME=value, or {name: NAME, secret: {env: VAR}} for a secret"
    ) { value in
        guard let equals = value.firstIndex(of: "=") else { return false }
        return variableName.matches(String(value[..<equals]))
    }

    /// A workload name (a key under `workloads`) or an EasyEnclave `app_name`.
    public static let workloadName = StringRule(
        title: "a workload name",
        pattern: "^[a-z0-9][a-z0-9._-]*$",
        maximumLength: 63,
        hint: "use lowercase letters, digits, '.', '_' and '-', starting with a letter or digit"
    ) { value in
        ASCII.check(
            value,
            first: { ASCII.isLower($0) || ASCII.isDigit($0) },
            middle: { ASCII.isLower($0) || ASCII.isDigit($0) || $0 == 46 || $0 == 95 || $0 == 45 }
        )
    }

    /// A GCE label key.
    public static let labelKey = StringRule(
        title: "a GCE label key",
        pattern: "^[a-z][a-z0-9_-]*$",
        maximumLength: 63,
        hint: "label keys are lowercase letters, digits, '_' and '-', starting with a letter, at most 63 characters"
    ) { value in
        ASCII.check(value, first: ASCII.isLower, middle: { ASCII.isLower($0) || ASCII.isDigit($0) || $0 == 95 || $0 == 45 })
    }

    /// A GCE label value.
    public static let labelValue = StringRule(
        title: "a GCE label value",
        pattern: "^[a-z0-9_-]*$",
        maximumLength: 63,
        hint: "label values are lowercase letters, digits, '_' and '-', at most 63 characters"
    ) { value in value.utf8.allSatisfy { ASCII.isLower($0) || ASCII.isDigit($0) || $0 == 95 || $0 == 45 } }

    /// A duration such as `30m`, `72h` or `7d`.
    public static let duration = StringRule(
        title: "a duration",
        pattern: "^[1-9][0-9]*[mhd]$",
        maximumLength: 12,
        diagnostic: .invalidValue,
        hint: "write a whole number of minutes, hours or days, like 30m, 72h or 7d"
    ) { value in FleetDuration(parsing: value) != nil }

    /// A hostname template such as `app.{domain}`; variables are checked separately.
    public static let hostnameTemplate = StringRule(
        title: "a hostname template",
        pattern: "^[a-z0-9.{}-]+$",
        maximumLength: 253,
        diagnostic: .invalidHostname,
        hint: "write lowercase letters, digits, '-', '.' and {variables}, like app.{domain}"
    ) { value in !value.isEmpty && value.utf8.allSatisfy { ASCII.isLower($0) || ASCII.isDigit($0) || $0 == 45 || $0 == 46 || $0 == 123 || $0 == 125 }
    }
}
