import XCTest
import ICE

/// Deterministic fuzzing: random and mutated inputs must throw or return, never crash or hang.
final class STUNFuzzTests: XCTestCase {
    private var agent = ICELiteAgent(localUfrag: "evtj", localPassword: RFC5769.password, remoteUfrag: nil, remotePassword: nil)
    private let from = TransportAddress(ip: [10, 0, 0, 1], port: 1)

    private func exercise(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            _ = try? STUNMessage.parse(raw)
            try? STUNMessage.verifyIntegrity(raw, key: [1, 2, 3])
            _ = STUNMessage.isSTUN(raw)
            _ = classifyPacket(raw)
            _ = agent.handleSTUN(raw, from: from, now: 0)
        }
    }

    func testRandomBytes() {
        var rng = SplitMix64(state: 1)
        for _ in 0..<3000 {
            let count = Int.random(in: 0..<120, using: &rng)
            exercise((0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) })
        }
    }

    func testRandomBodiesBehindValidHeaders() {
        // Valid header and length so the attribute walker does the work.
        var rng = SplitMix64(state: 2)
        let types: [UInt16] = [0x0001, 0x0006, 0x0008, 0x0009, 0x0020, 0x0024, 0x0025, 0x8022, 0x8028, 0x8029, 0x802A, 0x0014]
        for _ in 0..<3000 {
            var body: [UInt8] = []
            for _ in 0..<Int.random(in: 0..<5, using: &rng) {
                let type = types.randomElement(using: &rng)!
                let length = Int.random(in: 0..<28, using: &rng)
                body += [UInt8(type >> 8), UInt8(type & 0xFF), 0, UInt8(length)]
                body += (0..<((length + 3) & ~3)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            }
            if Bool.random(using: &rng) { body += (0..<Int.random(in: 0..<6, using: &rng)).map { _ in 0x55 } }
            let length = body.count
            exercise([0, 1, UInt8((length >> 8) & 0xFF), UInt8(length & 0xFF), 0x21, 0x12, 0xA4, 0x42] + Array(repeating: 9, count: 12) + body)
        }
    }

    func testTruncationsAndBitFlipsOfVectors() {
        var rng = SplitMix64(state: 3)
        for vector in [RFC5769.request, RFC5769.responseIPv4, RFC5769.responseIPv6, RFC5769.longTermRequest] {
            for cut in 0...vector.count { exercise(Array(vector.prefix(cut))) }
            for _ in 0..<500 {
                var mutated = vector
                for _ in 0..<Int.random(in: 1...4, using: &rng) {
                    let i = Int.random(in: 0..<mutated.count, using: &rng)
                    mutated[i] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &rng)
                }
                exercise(mutated)
            }
        }
    }

    func testAnyFlipBeforeIntegrityEndFailsVerification() {
        // In the short-term vectors MESSAGE-INTEGRITY ends 8 bytes before the end (FINGERPRINT follows).
        var rng = SplitMix64(state: 4)
        let key = Array(RFC5769.password.utf8)
        for vector in [RFC5769.request, RFC5769.responseIPv4, RFC5769.responseIPv6] {
            for _ in 0..<300 {
                var mutated = vector
                let i = Int.random(in: 0..<(vector.count - 8), using: &rng)
                mutated[i] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &rng)
                XCTAssertThrowsError(try STUNMessage.verifyIntegrity(mutated, key: key), "flip at \(i)")
                XCTAssertThrowsError(try STUNMessage.parse(mutated), "flip at \(i)")  // FINGERPRINT or structure
            }
        }
    }

    func testAgentAnswersTheRFCRequest() throws {
        // The §2.1 request carries ICE-CONTROLLED, so our (controlled) lite agent answers 487, authenticated.
        var actions: [ICEAction] = []
        RFC5769.request.withUnsafeBytes { actions = agent.handleSTUN($0, from: from, now: 0) }
        guard case .send(let bytes, _)? = actions.first else { return XCTFail("no response") }
        let response = try STUNMessage.parse(bytes)
        XCTAssertEqual(response.errorCode?.code, 487)
        XCTAssertEqual(response.transactionID, RFC5769.transactionID)
    }
}
