#define _GNU_SOURCE
#include "cdatagram.h"
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { BATCH = 64 };

/// Points one message header at its name, its single iovec and its control buffer.
static void fill_header(struct msghdr *m, struct sockaddr_in *name, struct iovec *vector, void *control, size_t control_size) {
    m->msg_name = name;
    m->msg_namelen = sizeof *name;
    m->msg_iov = vector;
    m->msg_iovlen = 1;
    m->msg_control = control;
    m->msg_controllen = control_size;
}

/// sendmmsg until all `n` are through; a datagram the kernel refuses is dropped. Returns how
/// many were sent.
static int send_batch(int fd, struct mmsghdr *messages, int n) {
    int sent = 0;
    int offset = 0;
    while (offset < n) {
        int result = sendmmsg(fd, messages + offset, (unsigned)(n - offset), MSG_DONTWAIT);
        if (result > 0) {
            sent += result;
            offset += result;
        } else if (result < 0 && errno == EINTR) {
            continue;
        } else {
            offset += 1;  // the first unsent datagram failed: drop it
        }
    }
    return sent;
}

/// Binds `fd` to `address` and reads back the bound address into it; on failure closes `fd`
/// and returns -errno.
static int bind_or_close(int fd, struct sockaddr *address, socklen_t length) {
    if (bind(fd, address, length) != 0 || getsockname(fd, address, &length) != 0) {
        int error = errno;
        close(fd);
        return -error;
    }
    return 0;
}

/// recvmmsg without blocking: how many arrived, 0 when none is waiting, or -errno.
static int receive_batch(int fd, struct mmsghdr *messages, int count) {
    int result;
    do {
        result = recvmmsg(fd, messages, (unsigned)count, MSG_DONTWAIT, NULL);
    } while (result < 0 && errno == EINTR);
    if (result < 0) return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -errno;
    return result;
}

int cdatagram_open_loopback(int buffer_bytes, uint16_t *port) {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -errno;
    int on = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, "lo", 3) != 0 ||
        setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof on) != 0 ||
        setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) != 0) {
        int error = errno;
        close(fd);
        return -error;
    }
    // The FORCE variants pass rmem_max/wmem_max when privileged; the plain ones are capped.
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buffer_bytes, sizeof buffer_bytes) != 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer_bytes, sizeof buffer_bytes);
    if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &buffer_bytes, sizeof buffer_bytes) != 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buffer_bytes, sizeof buffer_bytes);
    struct sockaddr_in address;
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_ANY);
    int error = bind_or_close(fd, (struct sockaddr *)&address, sizeof address);
    if (error != 0) return error;
    *port = ntohs(address.sin_port);
    return fd;
}


int cdatagram_receive(int fd, uint8_t *buffer, int slot_size, struct cdatagram_in *in, int count) {
    struct mmsghdr messages[BATCH];
    struct iovec vectors[BATCH];
    struct sockaddr_in names[BATCH];
    union {
        char bytes[CMSG_SPACE(sizeof(struct in_pktinfo)) + CMSG_SPACE(sizeof(struct timespec))];
        struct cmsghdr align;
    } controls[BATCH];
    if (count > BATCH) count = BATCH;
    if (count <= 0) return 0;
    memset(messages, 0, sizeof(struct mmsghdr) * (size_t)count);
    for (int i = 0; i < count; i++) {
        vectors[i].iov_base = buffer + (size_t)i * (size_t)slot_size;
        vectors[i].iov_len = (size_t)slot_size;
        fill_header(&messages[i].msg_hdr, &names[i], &vectors[i], controls[i].bytes, sizeof controls[i].bytes);
    }
    int result = receive_batch(fd, messages, count);
    if (result <= 0) return result;
    for (int i = 0; i < result; i++) {
        struct msghdr *m = &messages[i].msg_hdr;
        struct cdatagram_in *d = &in[i];
        d->length = (m->msg_flags & MSG_TRUNC) ? (uint32_t)slot_size + 1 : messages[i].msg_len;
        d->source_ip = names[i].sin_addr.s_addr;
        d->source_port = ntohs(names[i].sin_port);
        d->destination_ip = 0;
        d->realtime_ns = 0;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c != NULL; c = CMSG_NXTHDR(m, c)) {
            if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
                struct in_pktinfo info;
                memcpy(&info, CMSG_DATA(c), sizeof info);
                d->destination_ip = info.ipi_addr.s_addr;
            } else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
                struct timespec stamp;
                memcpy(&stamp, CMSG_DATA(c), sizeof stamp);
                d->realtime_ns = (int64_t)stamp.tv_sec * 1000000000 + stamp.tv_nsec;
            }
        }
    }
    return result;
}

typedef union {
    struct sockaddr_in v4;
    struct sockaddr_in6 v6;
} any_address;

/// Fills `address` from family/ip/port; returns its length.
static socklen_t make_address(any_address *address, int family, const uint8_t *ip, uint16_t port) {
    memset(address, 0, sizeof *address);
    if (family == 6) {
        address->v6.sin6_family = AF_INET6;
        address->v6.sin6_port = htons(port);
        memcpy(&address->v6.sin6_addr, ip, 16);
        return sizeof address->v6;
    }
    address->v4.sin_family = AF_INET;
    address->v4.sin_port = htons(port);
    memcpy(&address->v4.sin_addr, ip, 4);
    return sizeof address->v4;
}

int cdatagram_open_udp(int family, const uint8_t *ip, uint16_t port, int reuse_port, int buffer_bytes,
                       uint16_t *bound_port) {
    int fd = socket(family == 6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -errno;
    int on = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0 ||
        (reuse_port && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) != 0)) {
        int error = errno;
        close(fd);
        return -error;
    }
    // Don't fragment (IPv4 DF, ip(7) IP_PMTUDISC_DO): WebRTC keeps its datagrams near 1200
    // bytes (DTLS and SCTP records are sized for it), IPv6 never fragments on the path either,
    // and a DF datagram needs no IP identification, which the kernel otherwise draws from a
    // keyed hash for every datagram of an unconnected socket. Best effort.
    if (family != 6) {
        int pmtu = IP_PMTUDISC_DO;
        setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu, sizeof pmtu);
    }
    // Capped by net.core.rmem_max / wmem_max; not an error when smaller.
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer_bytes, sizeof buffer_bytes);
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buffer_bytes, sizeof buffer_bytes);
    any_address address;
    int error = bind_or_close(fd, (struct sockaddr *)&address, make_address(&address, family, ip, port));
    if (error != 0) return error;
    *bound_port = ntohs(family == 6 ? address.v6.sin6_port : address.v4.sin_port);
    return fd;
}

int cdatagram_send_to(int fd, const uint8_t *base, const struct cdatagram_addressed *out, int count) {
    struct mmsghdr messages[BATCH];
    struct iovec vectors[BATCH];
    any_address names[BATCH];
    union { char bytes[CMSG_SPACE(sizeof(struct in_pktinfo))]; struct cmsghdr align; } controls[BATCH];
    int sent = 0;
    int done = 0;
    while (done < count) {
        int n = count - done < BATCH ? count - done : BATCH;
        memset(messages, 0, sizeof(struct mmsghdr) * (size_t)n);
        for (int i = 0; i < n; i++) {
            const struct cdatagram_addressed *d = &out[done + i];
            vectors[i].iov_base = (void *)(base + d->offset);
            vectors[i].iov_len = d->length;
            struct msghdr *m = &messages[i].msg_hdr;
            m->msg_name = &names[i];
            m->msg_namelen = make_address(&names[i], d->family, d->ip, d->port);
            m->msg_iov = &vectors[i];
            m->msg_iovlen = 1;
            if (d->source_ip != 0) {
                m->msg_control = controls[i].bytes;
                m->msg_controllen = sizeof controls[i].bytes;
                struct cmsghdr *c = CMSG_FIRSTHDR(m);
                c->cmsg_level = IPPROTO_IP;
                c->cmsg_type = IP_PKTINFO;
                c->cmsg_len = CMSG_LEN(sizeof(struct in_pktinfo));
                struct in_pktinfo info;
                memset(&info, 0, sizeof info);
                info.ipi_spec_dst.s_addr = d->source_ip;
                memcpy(CMSG_DATA(c), &info, sizeof info);
            }
        }
        sent += send_batch(fd, messages, n);
        done += n;
    }
    return sent;
}

int cdatagram_receive_from(int fd, uint8_t *buffer, int slot_size, struct cdatagram_addressed *in, int count) {
    struct mmsghdr messages[BATCH];
    struct iovec vectors[BATCH];
    any_address names[BATCH];
    if (count > BATCH) count = BATCH;
    if (count <= 0) return 0;
    memset(messages, 0, sizeof(struct mmsghdr) * (size_t)count);
    for (int i = 0; i < count; i++) {
        vectors[i].iov_base = buffer + (size_t)i * (size_t)slot_size;
        vectors[i].iov_len = (size_t)slot_size;
        messages[i].msg_hdr.msg_name = &names[i];
        messages[i].msg_hdr.msg_namelen = sizeof names[i];
        messages[i].msg_hdr.msg_iov = &vectors[i];
        messages[i].msg_hdr.msg_iovlen = 1;
    }
    int result = receive_batch(fd, messages, count);
    if (result <= 0) return result;
    for (int i = 0; i < result; i++) {
        struct cdatagram_addressed *d = &in[i];
        memset(d, 0, sizeof *d);
        d->offset = (uint32_t)(i * slot_size);
        d->length = (messages[i].msg_hdr.msg_flags & MSG_TRUNC) ? (uint32_t)slot_size + 1 : messages[i].msg_len;
        if (names[i].v4.sin_family == AF_INET6) {
            d->family = 6;
            memcpy(d->ip, &names[i].v6.sin6_addr, 16);
            d->port = ntohs(names[i].v6.sin6_port);
        } else {
            d->family = 4;
            memcpy(d->ip, &names[i].v4.sin_addr, 4);
            d->port = ntohs(names[i].v4.sin_port);
        }
    }
    return result;
}
