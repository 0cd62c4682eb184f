import Hummingbird
import SFU

/// `/healthz` (200 `ok`, or 503 `draining` once SIGTERM started a drain, so a load balancer
/// sends new calls elsewhere) and Prometheus `/metrics` (text exposition format 0.0.4).
enum HealthRoutes {
    static func register<Context: RequestContext>(on router: Router<Context>, engine: MediaEngine,
                                                  connections: HTTPConnectionCounters? = nil, node: NodeMetrics? = nil) {
        router.get("healthz") { _, _ -> Response in
            if node?.service.drain.isDraining == true { return HTTPResponses.text(.serviceUnavailable, "draining") }
            return HTTPResponses.text(.ok, "ok")
        }
        router.get("metrics") { _, _ -> Response in
            let counters = await engine.counters()
            var text = ""
            for (name, help, value) in counters.prometheusSamples {
                text += "# HELP \(name) \(help)\n# TYPE \(name) counter\n\(name) \(value)\n"
            }
            text += "# HELP sfu_media_shard_rooms Rooms placed on each media shard (event loop)\n# TYPE sfu_media_shard_rooms gauge\n"
            for (shard, rooms) in engine.roomsPerShard.enumerated() { text += "sfu_media_shard_rooms{shard=\"\(shard)\"} \(rooms)\n" }
            text += engine.iceTCP.prometheusText
            text += LiveObjects.prometheusText
            text += MallocStatistics.prometheusText
            if let connections { text += connections.prometheusText }
            if let node { text += await node.prometheusText() }
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        }
    }
}
