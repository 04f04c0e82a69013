#if canImport(Glibc)
import Glibc
#endif

/// Reads a whole file the CLI was given — a fleet file, a saved plan, a secret, a key — only when
/// it is a regular file no larger than a cap: type and size are checked on the opened descriptor
/// (`fstat`, `fstatfs`) before a byte is read, and the read itself stops one byte past the cap.
/// A FIFO, a device, a socket, a directory, or anything on `/proc`, `/sys` or `/dev` is refused,
/// so no name can make a command block, exhaust memory, or read a process's environment.
enum BoundedFile {
    /// Why a file was not read. Its description names the file and the reason, never a byte of
    /// the file.
    struct Refusal: Error, CustomStringConvertible, Equatable {
        enum Reason: Equatable {
            case missing
            case directory
            case notRegular(String)
            case pseudoFilesystem
            case tooLarge(size: Int, limit: Int)
            case unreadable(String)
        }

        var path: String
        var reason: Reason

        /// The reason in words (without the path).
        var explanation: String {
            switch self.reason {
            case .missing: "does not exist"
            case .directory: "is a directory, not a file"
            case .notRegular(let kind): "is a \(kind), not a regular file; give a regular file"
            case .pseudoFilesystem: "is on /proc, /sys or /dev, which are never read; give a regular file"
            case .tooLarge(let size, let limit): "is \(size) bytes; the limit is \(limit) bytes"
            case .unreadable(let why): "cannot be read: \(why)"
            }
        }

        var description: String { "\(self.path) \(self.explanation)" }
    }

    /// Directories whose files are never read, whatever their type says.
    static let pseudoDirectories = ["/proc", "/sys", "/dev"]

    /// The bytes of the regular file at `path`, at most `maximumBytes` of them.
    static func read(_ path: String, maximumBytes: Int) throws(Refusal) -> [UInt8] {
        let resolved = Self.realPath(path)
        if Self.pseudoDirectories.contains(where: { resolved == $0 || resolved.hasPrefix($0 + "/") }) {
            throw Refusal(path: path, reason: .pseudoFilesystem)
        }
        // O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused just below).
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
        guard descriptor >= 0 else {
            let code = errno
            throw Refusal(path: path, reason: code == ENOENT ? .missing : .unreadable(String(cString: strerror(code))))
        }
        defer { close(descriptor) }
        let size = try Self.checkRegular(descriptor, path: path)
        guard size <= maximumBytes else { throw Refusal(path: path, reason: .tooLarge(size: size, limit: maximumBytes)) }
        return try Self.readAll(descriptor, path: path, maximumBytes: maximumBytes)
    }

    /// `path` with every symbolic link resolved (`realpath`), or as given when it does not exist.
    static func realPath(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Standard input, at most `maximumBytes` of it (`-` for a fleet file).
    static func readStandardInput(maximumBytes: Int) throws(Refusal) -> [UInt8] {
        try Self.readAll(STDIN_FILENO, path: "-", maximumBytes: maximumBytes)
    }

    /// The size of the regular file open at `descriptor`, or the refusal for anything else.
    private static func checkRegular(_ descriptor: Int32, path: String) throws(Refusal) -> Int {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw Refusal(path: path, reason: .unreadable(String(cString: strerror(errno))))
        }
        switch status.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw Refusal(path: path, reason: .directory)
        case S_IFIFO: throw Refusal(path: path, reason: .notRegular("FIFO"))
        case S_IFCHR, S_IFBLK: throw Refusal(path: path, reason: .notRegular("device"))
        case S_IFSOCK: throw Refusal(path: path, reason: .notRegular("socket"))
        default: throw Refusal(path: path, reason: .notRegular("special file"))
        }
        // procfs and sysfs wherever else they are mounted (the same filesystem, so the same
        // device): their files claim to be regular files of size 0. Only a directory that is a
        // mount of its own counts: an unmounted /sys on the root filesystem refuses nothing.
        var root = stat()
        let rootDevice = stat("/", &root) == 0 ? root.st_dev : nil
        for directory in Self.pseudoDirectories {
            var pseudo = stat()
            if stat(directory, &pseudo) == 0, pseudo.st_dev != rootDevice, pseudo.st_dev == status.st_dev {
                throw Refusal(path: path, reason: .pseudoFilesystem)
            }
        }
        return Int(status.st_size)
    }

    /// Reads to the end, refusing once more than `maximumBytes` arrived (a file that grew).
    private static func readAll(_ descriptor: Int32, path: String, maximumBytes: Int) throws(Refusal) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw Refusal(path: path, reason: .unreadable(String(cString: strerror(errno))))
            }
            if count == 0 { return bytes }
            bytes += chunk[0..<count]
            if bytes.count > maximumBytes {
                throw Refusal(path: path, reason: .tooLarge(size: bytes.count, limit: maximumBytes))
            }
        }
    }
}
