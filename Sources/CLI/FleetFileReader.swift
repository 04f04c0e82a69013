/// Reads fleet files (or `-` for standard input): only regular files, refusing oversized ones
/// before reading them (``BoundedFile``).
enum FleetFileReader {
    /// A file that could not be read at all: an I/O error, exit code 2. Never holds a byte of
    /// the file.
    struct ReadError: Error, CustomStringConvertible {
        var file: String
        var reason: String
        var description: String { "\(self.file): error: \(self.reason)" }
    }

    /// What reading produced: the bytes, or a file too large to read.
    enum Contents {
        case bytes([UInt8])
        case tooLarge(size: Int)
    }

    static func read(_ path: String, maximumBytes: Int) throws(ReadError) -> Contents {
        do {
            if path == "-" { return .bytes(try BoundedFile.readStandardInput(maximumBytes: maximumBytes)) }
            return .bytes(try BoundedFile.read(path, maximumBytes: maximumBytes))
        } catch {
            switch error.reason {
            case .tooLarge(let size, _): return .tooLarge(size: size)
            case .directory:
                throw ReadError(file: path, reason: "is a directory; give the fleet file itself, like \(path)/fleet.yaml")
            case .missing: throw ReadError(file: path, reason: "no such file")
            default: throw ReadError(file: path, reason: "the file \(error.explanation)")
            }
        }
    }
}
