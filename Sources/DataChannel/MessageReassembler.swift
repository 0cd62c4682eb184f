/// Joins the pieces usrsctp delivers for one message (partial delivery, RFC 6458 §8.1.20)
/// until the end-of-record flag. Without I-DATA (RFC 8260) only one message per stream
/// can be in flight, so one buffer per stream suffices.
struct MessageReassembler: Sendable {
    /// Messages growing past this are discarded up to their end of record.
    let maxMessageSize: Int
    private var buffers: [UInt16: [UInt8]] = [:]
    private var discarding: Set<UInt16> = []

    init(maxMessageSize: Int) {
        self.maxMessageSize = maxMessageSize
    }

    /// Adds a piece. Returns the whole message when `endOfRecord` completes it, nil while
    /// it is incomplete or when it was discarded for exceeding `maxMessageSize`.
    mutating func append(streamID: UInt16, _ piece: UnsafeRawBufferPointer, endOfRecord: Bool) -> [UInt8]? {
        if discarding.contains(streamID) {
            if endOfRecord { discarding.remove(streamID) }
            return nil
        }
        if endOfRecord, buffers[streamID] == nil {
            // Common case: the whole message arrived in one read.
            return piece.count <= maxMessageSize ? Array(piece) : nil
        }
        var buffer = buffers.removeValue(forKey: streamID) ?? []
        guard buffer.count + piece.count <= maxMessageSize else {
            if !endOfRecord { discarding.insert(streamID) }
            return nil
        }
        buffer.append(contentsOf: piece)
        if endOfRecord { return buffer }
        buffers[streamID] = buffer
        return nil
    }

    /// Drops a partial message (partial delivery aborted, stream reset).
    mutating func reset(streamID: UInt16) {
        buffers.removeValue(forKey: streamID)
        discarding.remove(streamID)
    }

    mutating func removeAll() {
        buffers.removeAll()
        discarding.removeAll()
    }
}
