import Foundation

/// A tiny HTTP stub in front of moto: it answers chosen requests with `500 InternalError` and
/// forwards the others unchanged (same Host header, so moto checks the signature the client made
/// for the stub's address). `GET /__stub/log` returns the `METHOD path` of every request it saw.
final class FailingProxy: @unchecked Sendable {
    enum Rule {
        /// Fail the requests with these 1-based ordinal numbers.
        case requests(Set<Int>)
        /// Fail every UploadPart (PUT with `partNumber`), forward the rest.
        case everyUploadPart
        /// Fail everything.
        case everything

        var argument: String {
            switch self {
            case let .requests(numbers): return "n:" + numbers.sorted().map(String.init).joined(separator: ",")
            case .everyUploadPart: return "parts"
            case .everything: return "all"
            }
        }
    }

    let port: Int
    private let process: Process
    private let stdin: Pipe

    var endpoint: String { "http://127.0.0.1:\(port)" }

    init(upstreamPort: Int, rule: Rule) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", Self.script, String(upstreamPort), rule.argument]
        let out = Pipe()
        stdin = Pipe()
        process.standardOutput = out
        process.standardInput = stdin
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            throw PythonScript.Failed(status: -1, stderr: "proxy did not report its port")
        }
        self.port = port
    }

    /// `METHOD path?query` of every proxied request, in order.
    func log() throws -> [String] {
        let data = try Data(contentsOf: URL(string: "\(endpoint)/__stub/log")!)
        return try JSONSerialization.jsonObject(with: data) as? [String] ?? []
    }

    func stop() {
        try? stdin.fileHandleForWriting.close()  // the stub exits when its stdin closes
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    private static let script = """
        import http.client, http.server, json, os, sys, threading
        upstream = int(sys.argv[1]); rule = sys.argv[2]
        failing = set(int(n) for n in rule[2:].split(",") if n) if rule.startswith("n:") else set()
        log = []; lock = threading.Lock()
        ERROR = (b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code>'
                 b'<Message>We encountered an internal error. Please try again.</Message></Error>')
        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def log_message(self, *args): pass
            def reply(self, status, headers, body):
                self.send_response(status)
                for k, v in headers: self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD": self.wfile.write(body)
            def handle_any(self):
                if self.path == "/__stub/log":
                    with lock: body = json.dumps(log).encode()
                    return self.reply(200, [("Content-Type", "application/json")], body)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with lock:
                    log.append("%s %s" % (self.command, self.path)); n = len(log)
                fail = (rule == "all" or n in failing or
                        (rule == "parts" and self.command == "PUT" and "partNumber=" in self.path))
                if fail:
                    return self.reply(500, [("Content-Type", "application/xml")], ERROR)
                conn = http.client.HTTPConnection("127.0.0.1", upstream, timeout=60)
                conn.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
                for k, v in self.headers.items():
                    if k.lower() not in ("expect", "connection", "transfer-encoding"): conn.putheader(k, v)
                conn.endheaders(body if body else None)
                resp = conn.getresponse(); data = resp.read()
                headers = [(k, v) for k, v in resp.getheaders()
                           if k.lower() not in ("content-length", "transfer-encoding", "connection")]
                conn.close()
                self.reply(resp.status, headers, data)
            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = handle_any
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        print(server.server_address[1], flush=True)
        def watch_stdin():
            sys.stdin.read(); os._exit(0)
        threading.Thread(target=watch_stdin, daemon=True).start()
        server.serve_forever()
        """
}
