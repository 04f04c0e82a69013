import CLibGit2

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Strings copied into C memory as a `git_strarray`, valid while this object lives; the copies
/// are wiped (`explicit_bzero`, which the compiler may not elide) before they are freed, since
/// one of them may hold the token's header. libgit2's own copies of headers are not wiped.
final class CStringArray {
    private let strings: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
    private let count: Int

    /// Copies `strings`.
    init(_ strings: [String]) {
        self.count = strings.count
        self.strings = .allocate(capacity: max(strings.count, 1))
        for (index, string) in strings.enumerated() { (self.strings + index).initialize(to: strdup(string)) }
    }

    deinit {
        for index in 0..<self.count {
            guard let string = self.strings[index] else { continue }
            #if canImport(Glibc)
            explicit_bzero(string, strlen(string))
            #else
            memset_s(string, strlen(string), 0, strlen(string))
            #endif
            free(string)
        }
        self.strings.deallocate()
    }

    /// The array as libgit2 takes it; it points into this object.
    var strarray: git_strarray {
        git_strarray(strings: self.strings, count: self.count)
    }
}
