import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A tiny HTTP/1.1 receiver on 127.0.0.1 for tests: one background thread, one connection at a time,
/// `Content-Length` bodies, `Connection: close`. Records every request with the status it answered.
final class TestHTTPReceiver: @unchecked Sendable {
    struct Request: Sendable {
        var method: String
        var path: String
        /// Header names lowercased.
        var headers: [String: String]
        var body: [UInt8]
        var status: Int
    }

    enum ReceiverError: Error { case socket(Int32), bind(Int32), listen(Int32) }

    let port: UInt16
    private let listenFD: Int32
    private let lock = NSLock()
    private var recorded: [Request] = []
    private var responder: @Sendable (Request, Int) -> Int
    private let finished = DispatchSemaphore(value: 0)

    /// `port` 0 picks a free one. `respond` gets the request and its 0-based index and returns the status.
    init(port: UInt16 = 0, respond: @escaping @Sendable (Request, Int) -> Int = { _, _ in 200 }) throws {
        responder = respond
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ReceiverError.socket(errno) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { let e = errno; close(fd); throw ReceiverError.bind(e) }
        guard listen(fd, 64) == 0 else { let e = errno; close(fd); throw ReceiverError.listen(e) }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.port = UInt16(bigEndian: actual.sin_port)
        listenFD = fd
        let thread = Thread { [self] in self.acceptLoop() }
        thread.start()
    }

    var url: String { "http://127.0.0.1:\(port)/webhook" }

    var requests: [Request] { lock.withLock { recorded } }
    var delivered: [Request] { requests.filter { (200..<300).contains($0.status) } }

    func setResponder(_ respond: @escaping @Sendable (Request, Int) -> Int) {
        lock.withLock { responder = respond }
    }

    /// Stops listening (later connections are refused) and waits for the thread to end.
    func stop() {
        shutdown(listenFD, Int32(SHUT_RDWR))
        finished.wait()
    }

    private func acceptLoop() {
        while true {
            let connection = accept(listenFD, nil, nil)
            if connection < 0 {
                if errno == EINTR { continue }
                break
            }
            serve(connection)
            close(connection)
        }
        close(listenFD)
        finished.signal()
    }

    private func serve(_ fd: Int32) {
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer: [UInt8] = []
        var headerEnd: Int?
        var sentContinue = false
        var request: Request?
        var bodyLength = 0
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            if let end = headerEnd, let partial = request {
                if buffer.count - end >= bodyLength {
                    var complete = partial
                    complete.body = Array(buffer[end..<(end + bodyLength)])
                    respond(to: complete, on: fd)
                    return
                }
                if !sentContinue, partial.headers["expect"]?.lowercased() == "100-continue" {
                    send(fd, Array("HTTP/1.1 100 Continue\r\n\r\n".utf8))
                    sentContinue = true
                }
            }
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return }
            buffer.append(contentsOf: chunk[0..<n])
            if headerEnd == nil, let end = Self.find([13, 10, 13, 10], in: buffer) {
                headerEnd = end + 4
                let head = String(decoding: buffer[0..<end], as: UTF8.self)
                var lines = head.components(separatedBy: "\r\n")
                let requestLine = lines.removeFirst().split(separator: " ")
                var headers: [String: String] = [:]
                for line in lines {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
                bodyLength = Int(headers["content-length"] ?? "0") ?? 0
                request = Request(method: requestLine.first.map(String.init) ?? "",
                                  path: requestLine.count > 1 ? String(requestLine[1]) : "",
                                  headers: headers, body: [], status: 0)
            }
        }
    }

    private func respond(to request: Request, on fd: Int32) {
        var request = request
        let status: Int = lock.withLock {
            let s = responder(request, recorded.count)
            request.status = s
            recorded.append(request)
            return s
        }
        send(fd, Array("HTTP/1.1 \(status) Status\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8))
    }

    private func send(_ fd: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            offset += n
        }
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i..<(i + needle.count)].elementsEqual(needle) {
            return i
        }
        return nil
    }
}
