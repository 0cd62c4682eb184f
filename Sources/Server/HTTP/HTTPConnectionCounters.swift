import NIOConcurrencyHelpers

/// What the HTTP/WebSocket listener refused, cut or gave up, for `/metrics`.
final class HTTPConnectionCounters: Sendable {
    enum Event: CaseIterable {
        case refusedAtCap, evictedAtCap, headerTimeout, bodyTimeout, headTooLarge, upgradeRefused

        var metric: (name: String, help: String) {
            switch self {
            case .refusedAtCap:
                ("sfu_http_connections_refused_total", "HTTP connections refused (503) at max_connections with none idle")
            case .evictedAtCap:
                ("sfu_http_connections_evicted_total", "idle HTTP connections closed at max_connections to admit a new one")
            case .headerTimeout:
                ("sfu_http_header_timeouts_total", "HTTP connections closed for a request head not complete within header_timeout")
            case .bodyTimeout:
                ("sfu_http_body_timeouts_total", "HTTP connections closed for a request body not complete within body_timeout")
            case .headTooLarge:
                ("sfu_http_heads_too_large_total", "request heads refused with 431")
            case .upgradeRefused:
                ("sfu_signal_upgrades_refused_total", "WebSocket upgrades on /rtc, /rtc/v1 and /agent refused (401/403/400)")
            }
        }
    }

    private let counts = NIOLockedValueBox([Event: UInt64]())
    private let open = NIOLockedValueBox(0)

    init() {}

    func count(_ event: Event) {
        counts.withLockedValue { $0[event, default: 0] += 1 }
    }

    func value(_ event: Event) -> UInt64 {
        counts.withLockedValue { $0[event] ?? 0 }
    }

    func setOpen(_ value: Int) {
        open.withLockedValue { $0 = value }
    }

    /// Prometheus text exposition (format 0.0.4).
    var prometheusText: String {
        let snapshot = counts.withLockedValue { $0 }
        var text = ""
        for event in Event.allCases {
            let (name, help) = event.metric
            text += "# HELP \(name) \(help)\n# TYPE \(name) counter\n\(name) \(snapshot[event] ?? 0)\n"
        }
        let held = open.withLockedValue { $0 }
        text += "# HELP sfu_http_connections_open HTTP/WebSocket connections held\n# TYPE sfu_http_connections_open gauge\nsfu_http_connections_open \(held)\n"
        return text
    }
}
