import Foundation

/// Reads fleet files (or `-` for standard input), refusing oversized ones before reading them.
enum FleetFileReader {
    /// A file that could not be read at all: an I/O error, exit code 2.
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
        if path == "-" {
            let data = FileHandle.standardInput.readDataToEndOfFile()
            return data.count > maximumBytes ? .tooLarge(size: data.count) : .bytes([UInt8](data))
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ReadError(file: path, reason: "no such file")
        }
        guard !isDirectory.boolValue else {
            throw ReadError(file: path, reason: "is a directory; give the fleet file itself, like \(path)/fleet.yaml")
        }
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            if let size = (attributes[.size] as? NSNumber)?.intValue, size > maximumBytes {
                return .tooLarge(size: size)
            }
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            // Read at most one byte past the limit, in case the file grew meanwhile.
            let data = try handle.read(upToCount: maximumBytes + 1) ?? Data()
            return data.count > maximumBytes ? .tooLarge(size: data.count) : .bytes([UInt8](data))
        } catch {
            throw ReadError(file: path, reason: "cannot read: \(error.localizedDescription)")
        }
    }
}
