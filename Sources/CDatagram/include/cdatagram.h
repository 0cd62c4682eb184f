#ifndef CDATAGRAM_H
#define CDATAGRAM_H
#include <stdint.h>

// Batched UDP I/O for many IPv4 loopback endpoints on one socket (the load tester): one
// socket bound to port P on every address of `lo` stands for any number of peers, each with
// its own source address 127.a.b.c:P. sendmmsg(2) sets each datagram's source with an
// IP_PKTINFO control message (ip(7)); recvmmsg(2) reports each datagram's destination address
// (IP_PKTINFO) and its kernel arrival time (SO_TIMESTAMPNS, socket(7)).

/// One datagram received into its slot: its length (more than the slot if it was truncated),
/// who sent it, the address it was sent to (network byte order), and when it arrived
/// (CLOCK_REALTIME nanoseconds; 0 if the kernel gave no timestamp).
struct cdatagram_in {
    uint32_t length;
    uint32_t source_ip;
    uint16_t source_port;
    uint32_t destination_ip;
    int64_t realtime_ns;
};

/// A non-blocking UDP socket bound to 0.0.0.0 on a port of the kernel's choosing and to the
/// loopback device only (SO_BINDTODEVICE "lo": nothing from another interface reaches it),
/// with IP_PKTINFO and SO_TIMESTAMPNS on and `buffer_bytes` of send and receive buffer.
/// Returns the descriptor and sets `*port` (host byte order), or returns -errno.
int cdatagram_open_loopback(int buffer_bytes, uint16_t *port);

/// Reads up to `count` datagrams without blocking, datagram i into `buffer + i * slot_size`.
/// Returns how many were read (0 when none is waiting), or -errno.
int cdatagram_receive(int fd, uint8_t *buffer, int slot_size, struct cdatagram_in *in, int count);

// The SFU's media socket: datagrams to many peers queued during one event-loop pass leave in
// sendmmsg batches, each to its own address, IPv4 or IPv6.

/// One datagram to send: `length` bytes at `offset` of the batch buffer to `ip` (network-order
/// bytes, left-aligned: the first 4 for IPv4) and `port` (host byte order); `family` 4 or 6.
/// `source_ip` (IPv4, network order) sets the datagram's source address with an IP_PKTINFO
/// control message; 0 leaves the socket's own.
struct cdatagram_addressed {
    uint32_t offset;
    uint32_t length;
    uint8_t ip[16];
    uint16_t port;
    uint8_t family;
    uint32_t source_ip;
};

/// A non-blocking UDP socket bound to `ip`:`port` (`family` 4 or 6, `ip` as above, port 0 for
/// any), SO_REUSEADDR on, SO_REUSEPORT when `reuse_port`, `buffer_bytes` of send and receive
/// buffer. Returns the descriptor and sets `*bound_port`, or returns -errno.
int cdatagram_open_udp(int family, const uint8_t *ip, uint16_t port, int reuse_port, int buffer_bytes,
                       uint16_t *bound_port);

/// Sends `count` datagrams in sendmmsg batches. A datagram the kernel refuses (a full buffer,
/// an unreachable address) is skipped, not retried. Returns how many were sent.
int cdatagram_send_to(int fd, const uint8_t *base, const struct cdatagram_addressed *out, int count);

/// Reads up to `count` datagrams without blocking, datagram i into `buffer + i * slot_size`,
/// its length and sender into `in[i]` (`offset` is i * slot_size; a length above `slot_size`
/// means it was truncated). Returns how many were read (0 when none is waiting), or -errno.
int cdatagram_receive_from(int fd, uint8_t *buffer, int slot_size, struct cdatagram_addressed *in, int count);

#endif
