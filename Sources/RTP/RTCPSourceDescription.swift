/// One SDES item other than the chunk's first CNAME (RFC 3550 §6.5), kept as raw bytes.
public struct SDESItem: Sendable, Equatable {
    /// 1 CNAME, 2 NAME, 3 EMAIL, 4 PHONE, 5 LOC, 6 TOOL, 7 NOTE, 8 PRIV (RFC 3550 §6.5.1-§6.5.8).
    public var type: UInt8
    public var value: [UInt8]

    public init(type: UInt8, value: [UInt8]) {
        self.type = type
        self.value = value
    }
}

/// RFC 3550 §6.5 SDES chunk: an SSRC/CSRC and its items. The first CNAME item is decoded into
/// `cname`; every other item (including further CNAMEs) is kept in `items` in wire order.
public struct SDESChunk: Sendable, Equatable {
    public var ssrc: UInt32
    public var cname: String?
    public var items: [SDESItem]

    public init(ssrc: UInt32, cname: String?, items: [SDESItem] = []) {
        self.ssrc = ssrc
        self.cname = cname
        self.items = items
    }

    static let packetType: UInt8 = 202
    static let cnameType: UInt8 = 1

    static func parseChunks(count: Int, body: UnsafeRawBufferPointer) throws(RTCPParseError) -> [SDESChunk] {
        var chunks: [SDESChunk] = []
        var i = 0
        let n = body.count
        for _ in 0..<count {
            guard i + 4 <= n else { throw .badLength }
            var chunk = SDESChunk(ssrc: body.be32(i), cname: nil)
            i += 4
            while true {
                guard i < n else { throw .malformed }
                let type = body[i]
                if type == 0 {
                    // RFC 3550 §6.5: a null octet ends the list; pad to the next 32-bit boundary.
                    i = (i + 1 + 3) & ~3
                    break
                }
                guard i + 2 <= n else { throw .malformed }
                let len = Int(body[i + 1])
                guard i + 2 + len <= n else { throw .malformed }
                let value = UnsafeRawBufferPointer(rebasing: body[(i + 2)..<(i + 2 + len)])
                if type == cnameType && chunk.cname == nil {
                    chunk.cname = String(decoding: value, as: UTF8.self)
                } else {
                    chunk.items.append(SDESItem(type: type, value: Array(value)))
                }
                i += 2 + len
            }
            chunks.append(chunk)
        }
        return chunks
    }

    static func write(_ chunks: [SDESChunk], into s: inout ByteSink) {
        let list = chunks.prefix(31)
        let start = s.beginRTCP(count: UInt8(list.count), packetType: packetType)
        for c in list {
            s.u32(c.ssrc)
            if let cname = c.cname {
                let utf8 = Array(cname.utf8.prefix(255))
                s.u8(cnameType)
                s.u8(UInt8(utf8.count))
                s.append(contentsOf: utf8)
            }
            for item in c.items where item.type != 0 {
                let value = item.value.prefix(255)
                s.u8(item.type)
                s.u8(UInt8(value.count))
                s.append(contentsOf: value)
            }
            s.u8(0)
            s.padToWord()
        }
        s.endRTCP(start: start)
    }
}

/// RFC 3550 §6.6 BYE (PT 203). An empty reason is serialized as no reason.
public struct Goodbye: Sendable, Equatable {
    public var ssrcs: [UInt32]
    public var reason: String?

    public init(ssrcs: [UInt32], reason: String? = nil) {
        self.ssrcs = ssrcs
        self.reason = reason
    }

    static let packetType: UInt8 = 203

    static func parse(count: Int, body: UnsafeRawBufferPointer) throws(RTCPParseError) -> Goodbye {
        let n = body.count
        guard count * 4 <= n else { throw .badLength }
        var bye = Goodbye(ssrcs: [])
        bye.ssrcs.reserveCapacity(count)
        for i in 0..<count { bye.ssrcs.append(body.be32(i * 4)) }
        let o = count * 4
        if o < n {
            let len = Int(body[o])
            guard o + 1 + len <= n else { throw .malformed }
            if len > 0 {
                bye.reason = String(decoding: UnsafeRawBufferPointer(rebasing: body[(o + 1)..<(o + 1 + len)]), as: UTF8.self)
            }
        }
        return bye
    }

    func write(into s: inout ByteSink) {
        let list = ssrcs.prefix(31)
        let start = s.beginRTCP(count: UInt8(list.count), packetType: Goodbye.packetType)
        for ssrc in list { s.u32(ssrc) }
        if let reason, !reason.isEmpty {
            let utf8 = Array(reason.utf8.prefix(255))
            s.u8(UInt8(utf8.count))
            s.append(contentsOf: utf8)
        }
        s.endRTCP(start: start)
    }
}
