import Foundation
import XCTest

/// A moto S3 server (`python3 -m moto.server`) on 127.0.0.1 with SigV4 checking on: it starts with
/// `INITIAL_NO_AUTH_ACTION_COUNT=4`, and exactly those four unauthenticated requests are spent on
/// IAM CreateUser, CreateAccessKey, PutUserPolicy (s3:*) and S3 CreateBucket (boto3). Every later
/// request must be signed with the created key. Needs python3 with moto[server] 5.x and boto3.
final class MotoServer: @unchecked Sendable {
    let port: Int
    let accessKey: String
    let secret: String
    let bucket: String
    private let process: Process

    var endpoint: String { "http://127.0.0.1:\(port)" }

    private init(port: Int, accessKey: String, secret: String, bucket: String, process: Process) {
        self.port = port
        self.accessKey = accessKey
        self.secret = secret
        self.bucket = bucket
        self.process = process
    }

    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    /// One server for the whole test run (the four unauthenticated requests can only be spent once).
    nonisolated(unsafe) private static var shared: Result<MotoServer, Error>?
    private static let lock = NSLock()

    static func sharedInstance() throws -> MotoServer {
        lock.lock()
        defer { lock.unlock() }
        if shared == nil { shared = Result { try start() } }
        return try shared!.get()
    }

    static func stopShared() {
        lock.lock()
        defer { lock.unlock() }
        if case let .success(server)? = shared { server.stop() }
        shared = nil
    }

    private static func start() throws -> MotoServer {
        let port = try Int(PythonScript.run(freePortScript).trimmingCharacters(in: .whitespacesAndNewlines))
            .unwrap("free port")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-m", "moto.server", "-H", "127.0.0.1", "-p", String(port)]
        var environment = ProcessInfo.processInfo.environment
        environment["INITIAL_NO_AUTH_ACTION_COUNT"] = "4"
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        do {
            let output = try PythonScript.run(setupScript, arguments: [String(port)])
            let json = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: String] ?? [:]
            return MotoServer(
                port: port, accessKey: try json["accessKey"].unwrap("accessKey"),
                secret: try json["secret"].unwrap("secret"), bucket: try json["bucket"].unwrap("bucket"),
                process: process)
        } catch {
            process.terminate()
            throw error
        }
    }

    private static let freePortScript = """
        import socket
        s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
        """

    /// Waits for the port with plain TCP connects (an HTTP probe would spend an unauthenticated
    /// action), then makes exactly four unauthenticated calls.
    private static let setupScript = """
        import json, os, socket, sys, time
        import boto3
        from botocore.config import Config
        port = int(sys.argv[1])
        deadline = time.time() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close(); break
            except OSError:
                if time.time() > deadline: sys.exit("moto did not start on port %d" % port)
                time.sleep(0.1)
        endpoint = "http://127.0.0.1:%d" % port
        kw = dict(endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="bootstrap",
                  aws_secret_access_key="bootstrap", config=Config(retries={"max_attempts": 1}))
        iam = boto3.client("iam", **kw)
        iam.create_user(UserName="egress")                                              # 1
        key = iam.create_access_key(UserName="egress")["AccessKey"]                      # 2
        iam.put_user_policy(UserName="egress", PolicyName="s3-all", PolicyDocument=json.dumps({   # 3
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
        boto3.client("s3", **kw).create_bucket(Bucket="recordings")                     # 4
        print(json.dumps({"accessKey": key["AccessKeyId"], "secret": key["SecretAccessKey"],
                          "bucket": "recordings"}))
        """
}

/// Runs `python3 -c script` to completion and returns its standard output.
enum PythonScript {
    struct Failed: Error, CustomStringConvertible {
        var status: Int32
        var stderr: String
        var description: String { "python3 exited \(status): \(stderr)" }
    }

    static func run(_ script: String, arguments: [String] = []) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failed(status: process.terminationStatus, stderr: String(decoding: errors, as: UTF8.self))
        }
        return String(decoding: output, as: UTF8.self)
    }
}

extension Optional {
    func unwrap(_ what: String) throws -> Wrapped {
        guard let self else { throw PythonScript.Failed(status: -1, stderr: "missing \(what)") }
        return self
    }
}
