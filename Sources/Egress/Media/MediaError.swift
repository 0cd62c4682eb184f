import CMedia

/// Errors from the media pipeline (decoders, encoders, muxers).
public enum MediaError: Error, Equatable, Sendable {
    /// A libav call failed: what was being done, and the (negative) libav error code.
    case ffmpeg(String, Int32)
    /// A libopus call failed with this error code.
    case opus(Int32)
    /// A libvpx call failed: its error message.
    case vpx(String)
    /// A codec, format or input this build does not handle.
    case unsupported(String)
    /// A call arrived for a track or state that was never set up (unknown track, finished recorder).
    case notConfigured
}

extension MediaError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .ffmpeg(let what, let code): return "\(what): \(LibAV.message(code)) (\(code))"
        case .opus(let code): return "opus error \(code)"
        case .vpx(let message): return "vpx: \(message)"
        case .unsupported(let what): return "unsupported: \(what)"
        case .notConfigured: return "not configured"
        }
    }
}

/// Small helpers around libav return codes.
enum LibAV {
    static let eagain: Int32 = cmedia_averror(EAGAIN)
    static let eof: Int32 = cmedia_averror_eof()
    static let noPTS: Int64 = cmedia_nopts_value()

    /// The libav message for an error code (av_strerror).
    static func message(_ code: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: 128)
        buffer.withUnsafeMutableBufferPointer { cmedia_err2str(code, $0.baseAddress, $0.count) }
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Throws `.ffmpeg(what, code)` when `code` is negative; returns it otherwise.
    @discardableResult
    static func check(_ code: Int32, _ what: @autoclosure () -> String) throws(MediaError) -> Int32 {
        if code < 0 { throw MediaError.ffmpeg(what(), code) }
        return code
    }
}
