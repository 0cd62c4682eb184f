import Hummingbird
import SFU

/// `/healthz` and Prometheus `/metrics` (text exposition format 0.0.4).
enum HealthRoutes {
    static func register<Context: RequestContext>(on router: Router<Context>, engine: MediaEngine,
                                                  connections: HTTPConnectionCounters? = nil) {
        router.get("healthz") { _, _ in "ok\n" }
        router.get("metrics") { _, _ -> Response in
            let counters = await engine.counters()
            var text = ""
            for (name, help, value) in counters.prometheusSamples {
                text += "# HELP \(name) \(help)\n# TYPE \(name) counter\n\(name) \(value)\n"
            }
            text += "# HELP sfu_media_shard_rooms Rooms placed on each media shard (event loop)\n# TYPE sfu_media_shard_rooms gauge\n"
            for (shard, rooms) in engine.roomsPerShard.enumerated() { text += "sfu_media_shard_rooms{shard=\"\(shard)\"} \(rooms)\n" }
            if let connections { text += connections.prometheusText }
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        }
    }
}
