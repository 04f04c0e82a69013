/// TCB Info v3 for TDX, as Intel's PCS serves it (`tcbInfo`): the TCB levels of one platform
/// family (FMSPC), each with a status and advisories.
public struct TCBInfo: Hashable, Sendable, Codable {
    /// One SVN component. Intel's informational `category` and `type` labels are not read:
    /// nothing is judged by them, and a TCB Info has hundreds of components to decode on every
    /// cold verification.
    public struct Component: Hashable, Sendable, Codable {
        /// The security version.
        public var svn: Int

        /// Creates a component.
        public init(svn: Int) {
            self.svn = svn
        }
    }

    /// The SVNs that define one level.
    public struct Level: Hashable, Sendable, Codable {
        /// The SVN vector.
        public struct TCB: Hashable, Sendable, Codable {
            /// The 16 SGX components.
            public var sgxtcbcomponents: [Component]
            /// The PCE SVN.
            public var pcesvn: Int
            /// The 16 TDX components.
            public var tdxtcbcomponents: [Component]?

            /// Creates an SVN vector (for the simulated issuer).
            package init(sgxtcbcomponents: [Component], pcesvn: Int, tdxtcbcomponents: [Component]?) {
                self.sgxtcbcomponents = sgxtcbcomponents
                self.pcesvn = pcesvn
                self.tdxtcbcomponents = tdxtcbcomponents
            }
        }

        /// The SVN vector.
        public var tcb: TCB
        /// When Intel published this level.
        public var tcbDate: String
        /// The level's status.
        public var tcbStatus: TCBStatus
        /// The advisories that apply at this level.
        public var advisoryIDs: [String]?

        /// Creates a level (for the simulated issuer).
        package init(tcb: TCB, tcbDate: String, tcbStatus: TCBStatus, advisoryIDs: [String]?) {
            self.tcb = tcb
            self.tcbDate = tcbDate
            self.tcbStatus = tcbStatus
            self.advisoryIDs = advisoryIDs
        }
    }

    /// The TDX module's expected signer and attributes.
    public struct TDXModule: Hashable, Sendable, Codable {
        /// MRSIGNERSEAM (hex, 48 bytes).
        public var mrsigner: String
        /// SEAMATTRIBUTES (hex, 8 bytes).
        public var attributes: String
        /// The mask applied before comparing attributes.
        public var attributesMask: String

        /// Creates a module identity (for the simulated issuer).
        package init(mrsigner: String, attributes: String, attributesMask: String) {
            self.mrsigner = mrsigner
            self.attributes = attributes
            self.attributesMask = attributesMask
        }
    }

    /// One TDX module version's identity and levels (`TDX_03`, …).
    public struct TDXModuleIdentity: Hashable, Sendable, Codable {
        /// A level of this module version (its minor SVN).
        public typealias Level = ISVSVNLevel

        /// `TDX_` and the major version in two hex digits.
        public var id: String
        /// MRSIGNERSEAM (hex, 48 bytes).
        public var mrsigner: String
        /// SEAMATTRIBUTES (hex).
        public var attributes: String
        /// The attribute mask (hex).
        public var attributesMask: String
        /// The levels, newest first.
        public var tcbLevels: [Level]

        /// Creates a module version's identity (for the simulated issuer).
        package init(id: String, mrsigner: String, attributes: String, attributesMask: String, tcbLevels: [Level]) {
            self.id = id
            self.mrsigner = mrsigner
            self.attributes = attributes
            self.attributesMask = attributesMask
            self.tcbLevels = tcbLevels
        }
    }

    /// "TDX".
    public var id: String
    /// 3.
    public var version: Int
    /// When issued (RFC 3339).
    public var issueDate: String
    /// When the next one is due (RFC 3339); stale after it.
    public var nextUpdate: String
    /// The platform family (hex, 6 bytes).
    public var fmspc: String
    /// The PCE id (hex, 2 bytes).
    public var pceId: String
    /// 0.
    public var tcbType: Int
    /// Intel's TCB recovery counter.
    public var tcbEvaluationDataNumber: Int
    /// The TDX module identity.
    public var tdxModule: TDXModule?
    /// Per-version module identities.
    public var tdxModuleIdentities: [TDXModuleIdentity]?
    /// The platform levels.
    public var tcbLevels: [Level]

    /// Creates TCB Info (for the simulated issuer).
    package init(
        id: String,
        version: Int,
        issueDate: String,
        nextUpdate: String,
        fmspc: String,
        pceId: String,
        tcbType: Int,
        tcbEvaluationDataNumber: Int,
        tdxModule: TDXModule?,
        tdxModuleIdentities: [TDXModuleIdentity]?,
        tcbLevels: [Level]
    ) {
        self.id = id
        self.version = version
        self.issueDate = issueDate
        self.nextUpdate = nextUpdate
        self.fmspc = fmspc
        self.pceId = pceId
        self.tcbType = tcbType
        self.tcbEvaluationDataNumber = tcbEvaluationDataNumber
        self.tdxModule = tdxModule
        self.tdxModuleIdentities = tdxModuleIdentities
        self.tcbLevels = tcbLevels
    }
}

/// QE Identity v2 (`enclaveIdentity`): the expected identity and TCB levels of Intel's TD QE.
public struct QEIdentity: Hashable, Sendable, Codable {
    /// One QE level (the QE's ISVSVN).
    public typealias Level = ISVSVNLevel

    /// "TD_QE".
    public var id: String
    /// 2.
    public var version: Int
    /// When issued (RFC 3339).
    public var issueDate: String
    /// When the next one is due.
    public var nextUpdate: String
    /// Intel's TCB recovery counter.
    public var tcbEvaluationDataNumber: Int
    /// MISCSELECT (hex, 4 bytes).
    public var miscselect: String
    /// Its mask.
    public var miscselectMask: String
    /// ATTRIBUTES (hex, 16 bytes).
    public var attributes: String
    /// Its mask.
    public var attributesMask: String
    /// MRSIGNER (hex, 32 bytes).
    public var mrsigner: String
    /// ISVPRODID.
    public var isvprodid: Int
    /// The levels, newest first.
    public var tcbLevels: [Level]

    /// Creates a QE Identity (for the simulated issuer).
    package init(
        id: String,
        version: Int,
        issueDate: String,
        nextUpdate: String,
        tcbEvaluationDataNumber: Int,
        miscselect: String,
        miscselectMask: String,
        attributes: String,
        attributesMask: String,
        mrsigner: String,
        isvprodid: Int,
        tcbLevels: [Level]
    ) {
        self.id = id
        self.version = version
        self.issueDate = issueDate
        self.nextUpdate = nextUpdate
        self.tcbEvaluationDataNumber = tcbEvaluationDataNumber
        self.miscselect = miscselect
        self.miscselectMask = miscselectMask
        self.attributes = attributes
        self.attributesMask = attributesMask
        self.mrsigner = mrsigner
        self.isvprodid = isvprodid
        self.tcbLevels = tcbLevels
    }
}

/// A TCB level keyed by one ISV SVN: a QE Identity level, or a TDX module identity level.
public struct ISVSVNLevel: Hashable, Sendable, Codable {
    /// The SVN.
    public struct TCB: Hashable, Sendable, Codable {
        /// The ISVSVN (the QE's, or the TDX module's minor SVN).
        public var isvsvn: Int

        /// Creates the SVN (for the simulated issuer).
        package init(isvsvn: Int) {
            self.isvsvn = isvsvn
        }
    }

    /// The SVN.
    public var tcb: TCB
    /// When Intel published the level.
    public var tcbDate: String
    /// The level's status.
    public var tcbStatus: TCBStatus
    /// The advisories that apply.
    public var advisoryIDs: [String]?

    /// Creates a level (for the simulated issuer).
    package init(tcb: TCB, tcbDate: String, tcbStatus: TCBStatus, advisoryIDs: [String]?) {
        self.tcb = tcb
        self.tcbDate = tcbDate
        self.tcbStatus = tcbStatus
        self.advisoryIDs = advisoryIDs
    }
}
