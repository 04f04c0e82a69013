import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One apply at a time per journal: an exclusive `flock` on `<journal>.lock`, held for the
/// process's life (the kernel drops it when the process dies, crash or not).
struct ApplyLock {
    struct Held: Error, CustomStringConvertible {
        var path: String
        var description: String {
            "another apply is running with the journal \(self.path) (it holds \(self.path).lock); wait for it, or point --journal elsewhere"
        }
    }

    let descriptor: Int32

    /// Takes the lock, or throws when another process holds it.
    static func acquire(journal: String) throws -> ApplyLock {
        let descriptor = open(journal + ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: journal + ".lock"])
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw Held(path: journal)
        }
        return ApplyLock(descriptor: descriptor)
    }

    /// True when an apply holds the lock right now (checked without keeping it).
    static func isHeld(journal: String) -> Bool {
        let descriptor = open(journal + ".lock", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        if flock(descriptor, LOCK_SH | LOCK_NB) == 0 {
            flock(descriptor, LOCK_UN)
            return false
        }
        return true
    }
}
