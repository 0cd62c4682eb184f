import Foundation
import Signal
#if canImport(Glibc)
import Glibc
#endif

/// The autoscaling signals on `/metrics` (Prometheus text format 0.0.4): what this node carries
/// now (gauges), how often calls start and fail to start (counters), and the process's CPU.
/// README "Scaling" says which to scale on.
struct NodeMetrics: Sendable {
    let service: LiveKitService
    let egress: EgressManager
    /// With `[redis]`: the signalling relay between nodes.
    var relay: SignalRelay?

    func prometheusText() async -> String {
        let load = await service.load()
        let joins = service.joins.totals
        var text = ""
        func sample(_ name: String, _ type: String, _ help: String, _ value: String) {
            text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n\(name) \(value)\n"
        }
        sample("sfu_rooms", "gauge", "Rooms hosted on this node", "\(load.rooms)")
        sample("sfu_participants", "gauge", "Participants in this node's rooms", "\(load.participants)")
        sample("sfu_published_tracks", "gauge", "Tracks published in this node's rooms", "\(load.publishedTracks)")
        sample("sfu_subscribed_tracks", "gauge", "Subscriptions being forwarded (one per subscriber and track)", "\(load.subscribedTracks)")
        sample("sfu_egress_active", "gauge", "Recordings starting, active or ending", "\(egress.activeCount)")
        sample("sfu_agent_jobs_active", "gauge", "Agent jobs running on workers registered here", "\(load.agentJobsActive)")
        sample("sfu_node_draining", "gauge", "1 while the node drains (SIGTERM): no new rooms, /healthz 503", service.drain.isDraining ? "1" : "0")
        sample("sfu_participants_joined_total", "counter", "Participants that joined (resumes not counted)", "\(joins.joined)")
        sample("sfu_join_failures_total", "counter", "Joins refused after the request arrived (token, room full, draining, ...)", "\(joins.failed)")
        text += "# HELP sfu_rate_limited_total Participant requests refused under [limits], by kind\n# TYPE sfu_rate_limited_total counter\n"
        for kind in RateLimitCounters.Kind.allCases {
            text += "sfu_rate_limited_total{kind=\"\(kind.rawValue)\"} \(service.rateLimited.total(kind))\n"
        }
        if let relay {
            let counts = relay.statistics
            let sessions = relay.sessionCounts
            sample("sfu_relay_edge_sessions", "gauge", "Sessions whose socket is here and room on another node", "\(sessions.edge)")
            sample("sfu_relay_hosted_sessions", "gauge", "Sessions of rooms here whose socket is on another node", "\(sessions.hosted)")
            sample("sfu_relay_frames_received_total", "counter", "Relay frames received from other nodes", "\(counts.framesIn)")
            sample("sfu_relay_frames_sent_total", "counter", "Relay frames published to other nodes", "\(counts.framesOut)")
            sample("sfu_relay_malformed_frames_total", "counter", "Relay frames dropped because they did not decode", "\(counts.malformed)")
            sample("sfu_relay_publish_failures_total", "counter", "Relay frames Redis did not take, or that no node listened to", "\(counts.publishFailures)")
        }
        let cpu = Self.processCPUSeconds()
        sample("process_cpu_seconds_total", "counter", "User and system CPU time of this process, in seconds", String(format: "%.3f", cpu))
        if let fds = Self.openDescriptors() {
            sample("process_open_fds", "gauge", "Open file descriptors of this process", "\(fds)")
        }
        return text
    }

    /// getrusage(2): user + system time of every thread.
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return 0 }
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// Entries of /proc/self/fd, less the one the listing itself holds open.
    static func openDescriptors() -> Int? {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return nil }
        return max(0, entries.count - 1)
    }
}
