/// Counters of the media plane. Owned by the media event loop (no locks on the packet path);
/// `/metrics` reads a copy through the loop.
public struct MediaCounters: Sendable, Equatable {
    public var rtpPacketsReceived: UInt64 = 0
    public var rtpBytesReceived: UInt64 = 0
    public var rtpPacketsSent: UInt64 = 0
    public var rtpBytesSent: UInt64 = 0
    public var rtcpPacketsReceived: UInt64 = 0
    public var rtcpPacketsSent: UInt64 = 0
    /// Sequence numbers subscribers asked for in NACKs (RFC 4585 §6.2.1).
    public var nackReceived: UInt64 = 0
    /// Retransmissions sent to subscribers from our buffer, answering their NACKs.
    public var nackAnswered: UInt64 = 0
    /// NACKed packets no longer in the buffer.
    public var nackMissed: UInt64 = 0
    /// Sequence numbers we NACKed toward publishers.
    public var nackSent: UInt64 = 0
    /// Gaps from a publisher that a retransmission later filled.
    public var packetsRecovered: UInt64 = 0
    public var pliSent: UInt64 = 0
    public var pliReceived: UInt64 = 0
    /// Receiver estimates (REMB) from subscribers.
    public var rembReceived: UInt64 = 0
    public var stunReceived: UInt64 = 0
    public var dtlsHandshakesCompleted: UInt64 = 0
    public var dtlsFailures: UInt64 = 0
    /// Malformed or undecryptable input, dropped.
    public var malformedPackets: UInt64 = 0
    public var srtpErrors: UInt64 = 0
    /// Datagrams from addresses no transport knows.
    public var unroutablePackets: UInt64 = 0
    /// DTLS, RTP or RTCP datagrams routed to a transport that could not take them: it was
    /// closed, had no DTLS or SRTP keys yet, or they came from another address than the one
    /// ICE selected.
    public var transportPacketsRefused: UInt64 = 0
    /// DTLS datagrams after the handshake that carried neither application data nor a close
    /// (OpenSSL discarded them: a bad MAC, a replay, a retransmitted flight).
    public var dtlsRecordsIgnored: UInt64 = 0
    /// Packets dropped by the test-only loss injection.
    public var testDroppedPackets: UInt64 = 0
    public var transportsClosed: UInt64 = 0
    /// Peer connections closed because no candidate pair worked, or DTLS never completed,
    /// within `PeerConnection.connectTimeout` (the participant is told: LeaveRequest
    /// CONNECTION_TIMEOUT).
    public var transportsNeverConnected: UInt64 = 0
    public var dataMessagesReceived: UInt64 = 0
    public var dataMessagesSent: UInt64 = 0
    public var dataChannelSendErrors: UInt64 = 0
    /// Data messages dropped: for a channel that was not open (lossy), or past the bound of
    /// what may wait for one (reliable).
    public var dataMessagesDropped: UInt64 = 0
    /// Datagrams that reached another shard's socket and were handed to their transport's shard.
    public var shardHandovers: UInt64 = 0
    /// Datagrams the kernel refused to send (full send buffer, unreachable address), dropped.
    public var datagramsDropped: UInt64 = 0

    public init() {}

    /// Every counter, for summing the shards' copies.
    static let fields: [any WritableKeyPath<MediaCounters, UInt64> & Sendable] = [
        \.rtpPacketsReceived, \.rtpBytesReceived, \.rtpPacketsSent, \.rtpBytesSent, \.rtcpPacketsReceived,
        \.rtcpPacketsSent, \.nackReceived, \.nackAnswered, \.nackMissed, \.nackSent, \.packetsRecovered, \.pliSent,
        \.pliReceived, \.rembReceived, \.stunReceived, \.dtlsHandshakesCompleted, \.dtlsFailures, \.malformedPackets,
        \.srtpErrors, \.unroutablePackets, \.transportPacketsRefused, \.dtlsRecordsIgnored, \.testDroppedPackets,
        \.transportsClosed, \.transportsNeverConnected, \.dataMessagesReceived,
        \.dataMessagesSent, \.dataChannelSendErrors, \.dataMessagesDropped, \.shardHandovers,
        \.datagramsDropped,
    ]

    /// Adds another shard's counters to these.
    public mutating func add(_ other: MediaCounters) {
        for field in Self.fields { self[keyPath: field] &+= other[keyPath: field] }
    }

    /// Prometheus text exposition (name, help, value).
    public var prometheusSamples: [(String, String, UInt64)] {
        [
            ("sfu_rtp_packets_received_total", "RTP packets received from publishers", rtpPacketsReceived),
            ("sfu_rtp_bytes_received_total", "RTP bytes received from publishers", rtpBytesReceived),
            ("sfu_rtp_packets_sent_total", "RTP packets sent to subscribers", rtpPacketsSent),
            ("sfu_rtp_bytes_sent_total", "RTP bytes sent to subscribers", rtpBytesSent),
            ("sfu_rtcp_packets_received_total", "RTCP compound packets received", rtcpPacketsReceived),
            ("sfu_rtcp_packets_sent_total", "RTCP compound packets sent", rtcpPacketsSent),
            ("sfu_nack_received_total", "Sequence numbers NACKed by subscribers", nackReceived),
            ("sfu_nack_answered_total", "Retransmissions sent to subscribers from the buffer", nackAnswered),
            ("sfu_nack_missed_total", "NACKed packets no longer buffered", nackMissed),
            ("sfu_nack_sent_total", "Sequence numbers NACKed toward publishers", nackSent),
            ("sfu_packets_recovered_total", "Publisher gaps filled by retransmission", packetsRecovered),
            ("sfu_pli_sent_total", "Picture loss indications sent to publishers", pliSent),
            ("sfu_pli_received_total", "PLI/FIR received from subscribers", pliReceived),
            ("sfu_remb_received_total", "Receiver bandwidth estimates (REMB) from subscribers", rembReceived),
            ("sfu_stun_received_total", "STUN messages received", stunReceived),
            ("sfu_dtls_handshakes_total", "DTLS handshakes completed", dtlsHandshakesCompleted),
            ("sfu_dtls_failures_total", "DTLS handshakes failed or fingerprint mismatches", dtlsFailures),
            ("sfu_malformed_packets_total", "Malformed packets dropped", malformedPackets),
            ("sfu_srtp_errors_total", "SRTP/SRTCP authentication or replay failures", srtpErrors),
            ("sfu_unroutable_packets_total", "Datagrams from unknown addresses", unroutablePackets),
            ("sfu_transport_packets_refused_total",
             "DTLS/RTP/RTCP for a transport that could not take them (closed, no keys yet, not its selected address)",
             transportPacketsRefused),
            ("sfu_dtls_records_ignored_total", "DTLS datagrams after the handshake that OpenSSL discarded (bad MAC, replay, stale flight)",
             dtlsRecordsIgnored),
            ("sfu_test_dropped_packets_total", "Packets dropped by test-only loss injection", testDroppedPackets),
            ("sfu_transports_closed_total", "WebRTC transports closed", transportsClosed),
            ("sfu_transports_never_connected_total",
             "Peer connections closed because no ICE candidate pair worked (or DTLS never completed) within 30 s",
             transportsNeverConnected),
            ("sfu_data_messages_received_total", "Data channel messages received", dataMessagesReceived),
            ("sfu_data_messages_sent_total", "Data channel messages sent", dataMessagesSent),
            ("sfu_data_channel_send_errors_total", "Data channel messages that could not be sent", dataChannelSendErrors),
            ("sfu_data_messages_dropped_total", "Data messages dropped (channel not open, or waiting queue full)", dataMessagesDropped),
            ("sfu_media_shard_handovers_total", "Datagrams handed from the shard whose socket got them to their transport's shard", shardHandovers),
            ("sfu_media_datagrams_dropped_total", "Datagrams the kernel refused to send (full send buffer, unreachable address)", datagramsDropped),
        ]
    }
}
