import Attestation
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The quote sources a real TD uses, against stand-ins of their interfaces.
@Suite struct QuoteSourceTests {
    /// A one-shot Unix-socket server speaking EasyEnclave's line protocol: it records the
    /// request line and answers `response`.
    final class FakeEasyEnclave: @unchecked Sendable {
        let path: String
        let descriptor: Int32
        var request = ""
        let done = DispatchSemaphore(value: 0)

        init(response: String) throws {
            self.path = FileManager.default.temporaryDirectory.appendingPathComponent("ee-\(UInt32.random(in: 0...UInt32.max)).sock").path
            self.descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { buffer in
                for (index, byte) in Array(self.path.utf8).enumerated() { buffer[index] = byte }
            }
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(self.descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            guard bound == 0, listen(self.descriptor, 1) == 0 else { throw CocoaError(.fileWriteUnknown) }
            let line = Array((response + "\n").utf8)
            Thread.detachNewThread { [self] in
                let client = accept(self.descriptor, nil, nil)
                var buffer = [UInt8](repeating: 0, count: 65_536)
                var received: [UInt8] = []
                while !received.contains(0x0A) {
                    let count = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
                    if count <= 0 { break }
                    received += buffer[0..<count]
                }
                self.request = String(decoding: received.prefix { $0 != 0x0A }, as: UTF8.self)
                _ = line.withUnsafeBytes { send(client, $0.baseAddress, $0.count, 0) }
                close(client)
                self.done.signal()
            }
        }

        deinit {
            close(self.descriptor)
            unlink(self.path)
        }
    }

    @Test("EasyEnclave's socket: one attest line with the REPORTDATA in, the quote out")
    func easyEnclave() async throws {
        let quote = (0..<600).map { UInt8($0 % 251) }
        let server = try FakeEasyEnclave(response: #"{"quote_b64":"\#(Data(quote).base64EncodedString())","attestation_type":"tdx"}"#)
        let reportData = (0..<64).map { UInt8($0) }
        let received = try await EasyEnclaveQuoteSource(path: server.path).quote(reportData: reportData)
        server.done.wait()
        #expect(received == quote)
        let request = try #require(try JSONSerialization.jsonObject(with: Data(server.request.utf8)) as? [String: String])
        #expect(request["method"] == "attest")
        #expect(request["report_data_b64"] == Data(reportData).base64EncodedString())
    }

    @Test("EasyEnclave's errors and a missing socket are clear failures")
    func easyEnclaveErrors() async throws {
        let server = try FakeEasyEnclave(response: #"{"error":"tdx guest device unavailable"}"#)
        let error = await #expect(throws: EasyEnclaveQuoteSource.Failure.self) {
            _ = try await EasyEnclaveQuoteSource(path: server.path).quote(reportData: Array(repeating: 0, count: 64))
        }
        #expect(error?.description.contains("tdx guest device unavailable") == true)
        let missing = await #expect(throws: EasyEnclaveQuoteSource.Failure.self) {
            _ = try await EasyEnclaveQuoteSource(path: "/nonexistent/agent.sock").quote(reportData: Array(repeating: 0, count: 64))
        }
        #expect(missing?.description.contains("cannot connect to EasyEnclave at /nonexistent/agent.sock") == true)
    }

    @Test("an EasyEnclave socket that never answers fails after the timeout instead of holding the caller")
    func easyEnclaveSilent() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ee-silent-\(UInt32.random(in: 0...UInt32.max)).sock").path
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer {
            close(descriptor)
            unlink(path)
        }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in Array(path.utf8).enumerated() { buffer[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(bound == 0 && listen(descriptor, 1) == 0)
        // Listening, never accepting: the connection and the request go through, no answer comes.
        let error = await #expect(throws: EasyEnclaveQuoteSource.Failure.self) {
            _ = try await EasyEnclaveQuoteSource(path: path, timeoutSeconds: 1).quote(reportData: Array(repeating: 0, count: 64))
        }
        #expect(error?.description.contains("did not answer within 1 s") == true, "\(String(describing: error))")
    }

    @Test("configfs-tsm outside a TDX guest says what is missing")
    func configfsMissing() async throws {
        let error = await #expect(throws: ConfigfsTSMQuoteSource.Failure.self) {
            _ = try await ConfigfsTSMQuoteSource(root: "/nonexistent/tsm/report").quote(reportData: Array(repeating: 0, count: 64))
        }
        #expect(error?.description.contains("not a TDX guest with configfs-tsm") == true)
        let short = await #expect(throws: ConfigfsTSMQuoteSource.Failure.self) {
            _ = try await ConfigfsTSMQuoteSource().quote(reportData: [1, 2, 3])
        }
        #expect(short?.description.contains("64 bytes") == true)
    }
}
