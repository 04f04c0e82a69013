import CLibGit2
import Reconciler

extension LocalRepository {
    /// The bytes of the blob at `path` in `revision`'s tree; nil when there is no such entry,
    /// or it is a directory or a submodule, or `path` is not a plain relative path.
    func file(_ path: String, at revision: Revision) throws(GitSourceError) -> [UInt8]? {
        let components = path.split(separator: "/", omittingEmptySubsequences: false)
        guard !path.isEmpty, !components.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else { return nil }
        return try self.withCommit(revision) { commit throws(GitSourceError) in
            var tree: OpaquePointer?
            guard git_commit_tree(&tree, commit) == 0, let tree else { throw self.failure("reading the tree of \(revision.short) in") }
            defer { git_tree_free(tree) }
            var entry: OpaquePointer?
            let status = git_tree_entry_bypath(&entry, tree, path)
            if status == GIT_ENOTFOUND.rawValue { return nil }
            guard status == 0, let entry else { throw self.failure("looking up \(path) in") }
            defer { git_tree_entry_free(entry) }
            guard git_tree_entry_type(entry) == GIT_OBJECT_BLOB else { return nil }
            return try self.blob(git_tree_entry_id(entry), path: path)
        }
    }

    /// The bytes of the blob `id`.
    private func blob(_ id: UnsafePointer<git_oid>?, path: String) throws(GitSourceError) -> [UInt8] {
        var blob: OpaquePointer?
        guard git_blob_lookup(&blob, self.pointer, id) == 0, let blob else { throw self.failure("reading the blob of \(path) in") }
        defer { git_blob_free(blob) }
        let size = Int(git_blob_rawsize(blob))
        guard size > 0, let bytes = git_blob_rawcontent(blob) else { return [] }
        return Array(UnsafeRawBufferPointer(start: bytes, count: size))
    }

    /// True when `ancestor` is `descendant` or reachable from it; both must be in the local copy.
    func isAncestor(_ ancestor: Revision, of descendant: Revision) throws(GitSourceError) -> Bool {
        try self.requireCommit(ancestor)
        try self.requireCommit(descendant)
        guard ancestor != descendant else { return true }
        var ancestorID = ancestor.objectID
        var descendantID = descendant.objectID
        let status = git_graph_descendant_of(self.pointer, &descendantID, &ancestorID)
        guard status >= 0 else { throw self.failure("walking the history of") }
        return status == 1
    }

    /// The commits reachable from `head` and not from `base`, parents before children (for a
    /// linear history, `git rev-list --reverse base..head`), each with its signature.
    func commits(from base: Revision?, to head: Revision) throws(GitSourceError) -> [CommitRecord] {
        try self.requireCommit(head)
        if let base { try self.requireCommit(base) }
        var walk: OpaquePointer?
        guard git_revwalk_new(&walk, self.pointer) == 0, let walk else { throw self.failure("walking the history of") }
        defer { git_revwalk_free(walk) }
        git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL.rawValue | GIT_SORT_REVERSE.rawValue)
        var headID = head.objectID
        var baseID = base?.objectID ?? git_oid()
        guard git_revwalk_push(walk, &headID) == 0, base == nil || git_revwalk_hide(walk, &baseID) == 0 else {
            throw self.failure("walking the history of")
        }
        var records: [CommitRecord] = []
        var oid = git_oid()
        while true {
            let status = git_revwalk_next(&oid, walk)
            if status == GIT_ITEROVER.rawValue { return records }
            guard status == 0 else { throw self.failure("walking the history of") }
            records.append(try self.record(oid))
        }
    }

    /// The commit `oid` with its `gpgsig` signature and the bytes it signs; an unsigned commit
    /// has a nil signature and an empty payload.
    private func record(_ oid: git_oid) throws(GitSourceError) -> CommitRecord {
        var oid = oid
        var signature = git_buf()
        var payload = git_buf()
        defer {
            git_buf_dispose(&signature)
            git_buf_dispose(&payload)
        }
        let status = git_commit_extract_signature(&signature, &payload, self.pointer, &oid, nil)
        if status == GIT_ENOTFOUND.rawValue { return CommitRecord(revision: Revision(oid), signedPayload: [], signature: nil) }
        guard status == 0 else { throw self.failure("reading the signature of \(Revision(oid).short) in") }
        return CommitRecord(
            revision: Revision(oid),
            signedPayload: Self.bytes(payload),
            signature: String(decoding: Self.bytes(signature), as: UTF8.self)
        )
    }

    private static func bytes(_ buffer: git_buf) -> [UInt8] {
        guard let pointer = buffer.ptr, buffer.size > 0 else { return [] }
        return Array(UnsafeRawBufferPointer(start: pointer, count: buffer.size))
    }
}
