/// Finds the end of an HTTP/1.1 request head in the bytes as they arrive and enforces its size
/// limit (RFC 9112 §2.1: the head is the start-line and the field lines up to an empty line;
/// RFC 6585 §5: 431 for heads too large). No I/O; `RequestHeadGuard` feeds it.
///
/// A bare LF ends a line as CRLF does (RFC 9112 §2.2 lets a recipient accept it), and empty
/// lines before the request line are skipped (RFC 9112 §2.2).
struct RequestHeadScanner {
    enum Progress: Equatable {
        case incomplete
        /// The head ends `headBytes` into the message; bytes after it are body or the next request.
        case complete(headBytes: Int)
        case tooLarge
    }

    let limit: Int
    private(set) var consumed = 0
    private var started = false
    /// The last significant byte was a LF (CRs in between are ignored).
    private var atLineStart = false
    private var done: Progress = .incomplete

    init(limit: Int) { self.limit = limit }

    mutating func scan(_ bytes: UnsafeRawBufferPointer) -> Progress {
        guard done == .incomplete else { return done }
        for byte in bytes {
            consumed += 1
            switch byte {
            case UInt8(ascii: "\n"):
                if atLineStart && started {
                    done = .complete(headBytes: consumed)
                    return done
                }
                atLineStart = true
            case UInt8(ascii: "\r"):
                break
            default:
                started = true
                atLineStart = false
            }
            if consumed >= limit {
                done = .tooLarge
                return done
            }
        }
        return .incomplete
    }
}
