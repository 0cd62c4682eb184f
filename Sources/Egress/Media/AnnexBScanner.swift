/// Splits an H.264 Annex B byte stream (ITU-T H.264 Annex B.2) into NAL units.
enum AnnexBScanner {
    /// The NAL units of `data`, without their start codes. Bytes before the first start code are ignored.
    static func nalUnits(_ data: [UInt8]) -> [ArraySlice<UInt8>] {
        var units: [ArraySlice<UInt8>] = []
        var start: Int? = nil
        var i = 0
        while i + 2 < data.count {
            if data[i] == 0, data[i + 1] == 0, data[i + 2] == 1 {
                if let s = start {
                    var end = i
                    while end > s, data[end - 1] == 0 { end -= 1 }  // trailing zero of a 4-byte start code
                    if end > s { units.append(data[s..<end]) }
                }
                i += 3
                start = i
            } else {
                i += 1
            }
        }
        if let s = start, s < data.count { units.append(data[s..<data.count]) }
        return units
    }

    /// nal_unit_type (H.264 §7.3.1) of a NAL unit.
    static func type(_ unit: ArraySlice<UInt8>) -> UInt8? { unit.first.map { $0 & 0x1f } }

    /// SPS (7) and PPS (8) of an access unit as Annex B, suitable as MP4 extradata; nil if either is missing.
    static func parameterSets(_ data: [UInt8]) -> [UInt8]? {
        var sps: [UInt8] = [], pps: [UInt8] = []
        for unit in nalUnits(data) {
            switch type(unit) {
            case 7: sps += [0, 0, 0, 1] + unit
            case 8: pps += [0, 0, 0, 1] + unit
            default: break
            }
        }
        return sps.isEmpty || pps.isEmpty ? nil : sps + pps
    }
}
