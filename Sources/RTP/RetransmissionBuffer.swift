/// Fixed-size ring of packet copies keyed by RTP sequence number, for answering NACKs
/// (RFC 4588 retransmission source). All storage is allocated in `init`; `store` copies into it.
/// A slot is reused by any later sequence number mapping to it, which evicts the older packet.
public struct RetransmissionBuffer: Sendable {
    public let capacity: Int
    public let maxPacketSize: Int

    private var storage: [UInt8]
    private var sequences: [UInt16]
    private var lengths: [Int]  // 0 = empty slot
    private var times: [Double]

    public init(capacity: Int = 1024, maxPacketSize: Int = 1500) {
        self.capacity = max(1, capacity)
        self.maxPacketSize = max(1, maxPacketSize)
        storage = [UInt8](repeating: 0, count: self.capacity * self.maxPacketSize)
        sequences = [UInt16](repeating: 0, count: self.capacity)
        lengths = [Int](repeating: 0, count: self.capacity)
        times = [Double](repeating: 0, count: self.capacity)
    }

    @inline(__always) private func slot(_ seq: UInt16) -> Int { Int(seq) % capacity }

    /// Copies `packet`; empty packets and packets larger than `maxPacketSize` are not stored.
    public mutating func store(sequenceNumber: UInt16, packet: UnsafeRawBufferPointer, now: Double) {
        let length = packet.count
        let s = slot(sequenceNumber)
        guard length > 0, length <= maxPacketSize else {
            if sequences[s] == sequenceNumber { lengths[s] = 0 }  // do not serve a stale copy
            return
        }
        let offset = s * maxPacketSize
        storage.withUnsafeMutableBytes { dst in
            UnsafeMutableRawBufferPointer(rebasing: dst[offset..<(offset + length)]).copyMemory(from: packet)
        }
        sequences[s] = sequenceNumber
        lengths[s] = length
        times[s] = now
    }

    /// Calls `body` with the stored packet; nil if absent, evicted or stored more than `maxAge` seconds ago.
    public func withPacket<R>(sequenceNumber: UInt16, maxAge: Double, now: Double,
                              _ body: (UnsafeRawBufferPointer) -> R) -> R? {
        let s = slot(sequenceNumber)
        let length = lengths[s]
        guard length > 0, sequences[s] == sequenceNumber, now - times[s] <= maxAge else { return nil }
        let offset = s * maxPacketSize
        return storage.withUnsafeBytes { src in
            body(UnsafeRawBufferPointer(rebasing: src[offset..<(offset + length)]))
        }
    }

    /// Forgets every stored packet.
    public mutating func removeAll() {
        for i in lengths.indices { lengths[i] = 0 }
    }
}
