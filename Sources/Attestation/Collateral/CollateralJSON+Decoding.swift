/// The collateral's signed JSON items read from ``CollateralJSON``: the same fields, the same
/// refusals (a missing field, a wrong type, a TCB status Intel does not define) as their
/// `Decodable` conformances, without `JSONDecoder`'s cost.
extension TCBInfo {
    /// Reads a `tcbInfo` object.
    init(json: CollateralJSON) throws(CollateralJSON.Invalid) {
        var levels: [Level] = []
        for level in try json.array("tcbLevels") { levels.append(try Level(json: level)) }
        var identities: [TDXModuleIdentity]?
        if let value = try json.optionalMember("tdxModuleIdentities") {
            guard case .array(let elements) = value else { throw CollateralJSON.Invalid(description: "tdxModuleIdentities is not an array") }
            identities = []
            for element in elements { identities?.append(try TDXModuleIdentity(json: element)) }
        }
        self.init(
            id: try json.string("id"),
            version: try json.integer("version"),
            issueDate: try json.string("issueDate"),
            nextUpdate: try json.string("nextUpdate"),
            fmspc: try json.string("fmspc"),
            pceId: try json.string("pceId"),
            tcbType: try json.integer("tcbType"),
            tcbEvaluationDataNumber: try json.integer("tcbEvaluationDataNumber"),
            tdxModule: try json.optionalMember("tdxModule").map { (module) throws(CollateralJSON.Invalid) in try TDXModule(json: module) },
            tdxModuleIdentities: identities,
            tcbLevels: levels
        )
    }
}

extension TCBInfo.Level {
    init(json: CollateralJSON) throws(CollateralJSON.Invalid) {
        self.init(
            tcb: try TCB(json: try json.member("tcb")),
            tcbDate: try json.string("tcbDate"),
            tcbStatus: try TCBStatus(json: json),
            advisoryIDs: try json.optionalStrings("advisoryIDs")
        )
    }
}

extension TCBInfo.Level.TCB {
    init(json: CollateralJSON) throws(CollateralJSON.Invalid) {
        self.init(
            sgxtcbcomponents: try Self.components(try json.array("sgxtcbcomponents")),
            pcesvn: try json.integer("pcesvn"),
            tdxtcbcomponents: try json.optionalMember("tdxtcbcomponents").map { (value) throws(CollateralJSON.Invalid) in
                guard case .array(let elements) = value else { throw CollateralJSON.Invalid(description: "tdxtcbcomponents is not an array") }
                return try Self.components(elements)
            }
        )
    }

    private static func components(_ elements: [CollateralJSON]) throws(CollateralJSON.Invalid) -> [TCBInfo.Component] {
        var components: [TCBInfo.Component] = []
        components.reserveCapacity(elements.count)
        for element in elements { components.append(TCBInfo.Component(svn: try element.integer("svn"))) }
        return components
    }
}

extension TCBInfo.TDXModule {
    init(json: CollateralJSON) throws(CollateralJSON.Invalid) {
        self.init(mrsigner: try json.string("mrsigner"), attributes: try json.string("attributes"), attributesMask: try json.string("attributesMask"))
    }
}

extension TCBInfo.TDXModuleIdentity {
    init(json: CollateralJSON) throws(CollateralJSON.Invalid) {
        var levels: [Level] = []
        for level in try json.array("tcbLevels") { levels.append(try ISVSVNLevel(json: level)) }
        self.init(
            id: try json.string("id"),
            mrsigner: try json.string("mrsigner"),
            attributes: try json.string("attributes"),
            attributesMask: try json.string("attributesMask"),
            tcbLevels: levels
        )
    }
}

extension QEIdentity {
    /// Reads an `enclaveIdentity` object.
    init(json: CollateralJSON) throws(CollateralJSON.Invalid) {
        var levels: [Level] = []
        for level in try json.array("tcbLevels") { levels.append(try ISVSVNLevel(json: level)) }
        self.init(
            id: try json.string("id"),
            version: try json.integer("version"),
            issueDate: try json.string("issueDate"),
            nextUpdate: try json.string("nextUpdate"),
            tcbEvaluationDataNumber: try json.integer("tcbEvaluationDataNumber"),
            miscselect: try json.string("miscselect"),
            miscselectMask: try json.string("miscselectMask"),
            attributes: try json.string("attributes"),
            attributesMask: try json.string("attributesMask"),
            mrsigner: try json.string("mrsigner"),
            isvprodid: try json.integer("isvprodid"),
            tcbLevels: levels
        )
    }
}

extension ISVSVNLevel {
    init(json: CollateralJSON) throws(CollateralJSON.Invalid) {
        self.init(
            tcb: ISVSVNLevel.TCB(isvsvn: try json.member("tcb").integer("isvsvn")),
            tcbDate: try json.string("tcbDate"),
            tcbStatus: try TCBStatus(json: json),
            advisoryIDs: try json.optionalStrings("advisoryIDs")
        )
    }
}

extension TCBStatus {
    /// The `tcbStatus` member of a level.
    init(json level: CollateralJSON) throws(CollateralJSON.Invalid) {
        let name = try level.string("tcbStatus")
        guard let status = TCBStatus(rawValue: name) else { throw CollateralJSON.Invalid(description: "tcbStatus \(name) is not one Intel defines") }
        self = status
    }
}
