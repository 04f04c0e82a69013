import CLibGit2
import Reconciler

extension Revision {
    /// The revision of a libgit2 object id.
    init(_ oid: git_oid) {
        var oid = oid
        var digits = [CChar](repeating: 0, count: 41)
        git_oid_fmt(&digits, &oid)
        let hex = String(decoding: digits.prefix(40).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard let revision = Revision(hex) else {
            preconditionFailure("git_oid_fmt wrote '\(hex)', which is not 40 hexadecimal digits")
        }
        self = revision
    }

    /// The libgit2 object id of this revision.
    var objectID: git_oid {
        var oid = git_oid()
        // `hex` is 40 hexadecimal digits by construction, so parsing cannot fail.
        _ = git_oid_fromstrn(&oid, self.hex, 40)
        return oid
    }
}
