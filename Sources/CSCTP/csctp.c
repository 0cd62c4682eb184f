#include "csctp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t init_lock = PTHREAD_MUTEX_INITIALIZER;
static int initialised = 0;
// usrsctp runs without its own threads (usrsctp_init_nothreads); every entry into it goes
// through this recursive lock, so the stack is single-threaded. Recursive because the
// receive callback sends (DCEP ACK) from inside usrsctp_conninput.
static pthread_mutex_t stack_lock;

#define LOCKED(expr) do { pthread_mutex_lock(&stack_lock); expr; pthread_mutex_unlock(&stack_lock); } while (0)
static csctp_output_fn output_fn = NULL;
static csctp_receive_fn receive_fn = NULL;

static int output_trampoline(void *addr, void *buffer, size_t length, uint8_t tos, uint8_t set_df) {
    (void)tos;
    (void)set_df;
    if (output_fn != NULL && buffer != NULL) {
        output_fn(addr, buffer, length);
    }
    return 0;
}

static int receive_trampoline(struct socket *sock, union sctp_sockstore addr, void *data, size_t datalen,
                              struct sctp_rcvinfo rcv, int flags, void *ulp_info) {
    (void)sock;
    (void)addr;
    if (receive_fn != NULL) {
        receive_fn(ulp_info, data, datalen, rcv.rcv_sid, ntohl(rcv.rcv_ppid),
                   (flags & MSG_NOTIFICATION) != 0, (flags & MSG_EOR) != 0);
    }
    // usrsctp hands ownership of the buffer to the receive callback.
    free(data);
    return 1;
}

void csctp_init_once(csctp_output_fn output, csctp_receive_fn receive) {
    pthread_mutex_lock(&init_lock);
    if (!initialised) {
        output_fn = output;
        receive_fn = receive;
        pthread_mutexattr_t attr;
        pthread_mutexattr_init(&attr);
        pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
        pthread_mutex_init(&stack_lock, &attr);
        pthread_mutexattr_destroy(&attr);
        // No timer or raw-socket threads: the owner drives timers with csctp_handle_timers.
        usrsctp_init_nothreads(0, output_trampoline, NULL);
        // Browsers (dcsctp, usrsctp) do not use ECN or ASCONF on data channels.
        usrsctp_sysctl_set_sctp_ecn_enable(0);
        usrsctp_sysctl_set_sctp_asconf_enable(0);
        // RFC 8831 §6.1: partial reliability (RFC 3758) and stream reset (RFC 6525) are required.
        usrsctp_sysctl_set_sctp_pr_enable(1);
        usrsctp_sysctl_set_sctp_reconfig_enable(1);
        usrsctp_sysctl_set_sctp_nr_outgoing_streams_default(1024);
        // Keep the INIT / data retransmission give-up time bounded (a dead peer
        // must not hold an association for minutes).
        usrsctp_sysctl_set_sctp_init_rtx_max_default(8);
        usrsctp_sysctl_set_sctp_assoc_rtx_max_default(10);
        usrsctp_sysctl_set_sctp_path_rtx_max_default(10);
        // SACK every DATA packet at once (RFC 4960 §6.2 allows it; 0 turns the delayed-ACK
        // timer off): no acknowledgement waits for our coarse timer pass (UsrsctpStack).
        usrsctp_sysctl_set_sctp_delayed_sack_time_default(0);
        initialised = 1;
    }
    pthread_mutex_unlock(&init_lock);
}

struct socket *csctp_socket(void *ulp_info) {
    struct socket *so;
    LOCKED(so = usrsctp_socket(AF_CONN, SOCK_STREAM, IPPROTO_SCTP, receive_trampoline, NULL, 0, ulp_info));
    return so;
}

void csctp_register_address(void *address) {
    LOCKED(usrsctp_register_address(address));
}

void csctp_deregister_address(void *address) {
    LOCKED(usrsctp_deregister_address(address));
}

void csctp_conninput(void *address, const void *packet, size_t length) {
    LOCKED(usrsctp_conninput(address, packet, length, 0));
}

void csctp_close(struct socket *so) {
    LOCKED(usrsctp_close(so));
}

void csctp_handle_timers(uint32_t elapsed_milliseconds) {
    LOCKED(usrsctp_handle_timers(elapsed_milliseconds));
}

ssize_t csctp_send(struct socket *so, const void *data, size_t length, uint16_t stream_id, uint32_t ppid,
                   int unordered, uint16_t pr_policy, uint32_t pr_value) {
    struct sctp_sendv_spa spa;
    memset(&spa, 0, sizeof(spa));
    spa.sendv_flags = SCTP_SEND_SNDINFO_VALID;
    spa.sendv_sndinfo.snd_sid = stream_id;
    spa.sendv_sndinfo.snd_ppid = htonl(ppid);
    spa.sendv_sndinfo.snd_flags = unordered ? SCTP_UNORDERED : 0;
    if (pr_policy != SCTP_PR_SCTP_NONE) {
        spa.sendv_flags |= SCTP_SEND_PRINFO_VALID;
        spa.sendv_prinfo.pr_policy = pr_policy;
        spa.sendv_prinfo.pr_value = pr_value;
    }
    ssize_t sent;
    int err = 0;
    LOCKED(sent = usrsctp_sendv(so, data, length, NULL, 0, &spa, (socklen_t)sizeof(spa), SCTP_SENDV_SPA, 0);
           err = errno);
    return sent < 0 ? -(ssize_t)err : sent;
}

int csctp_reset_outgoing_stream(struct socket *so, uint16_t stream_id) {
    size_t size = sizeof(struct sctp_reset_streams) + sizeof(uint16_t);
    struct sctp_reset_streams *srs = calloc(1, size);
    if (srs == NULL) {
        return -ENOMEM;
    }
    srs->srs_assoc_id = SCTP_ALL_ASSOC;
    srs->srs_flags = SCTP_STREAM_RESET_OUTGOING;
    srs->srs_number_streams = 1;
    srs->srs_stream_list[0] = stream_id;
    int rc;
    int err = 0;
    LOCKED(rc = usrsctp_setsockopt(so, IPPROTO_SCTP, SCTP_RESET_STREAMS, srs, (socklen_t)size); err = errno);
    free(srs);
    return rc < 0 ? -err : 0;
}

static struct sockaddr_conn make_sconn(void *address, uint16_t port) {
    struct sockaddr_conn sconn;
    memset(&sconn, 0, sizeof(sconn));
    sconn.sconn_family = AF_CONN;
#ifdef HAVE_SCONN_LEN
    sconn.sconn_len = sizeof(struct sockaddr_conn);
#endif
    sconn.sconn_port = htons(port);
    sconn.sconn_addr = address;
    return sconn;
}

int csctp_bind(struct socket *so, void *address, uint16_t port) {
    struct sockaddr_conn sconn = make_sconn(address, port);
    int rc;
    LOCKED(rc = usrsctp_bind(so, (struct sockaddr *)&sconn, sizeof(sconn)) < 0 ? -errno : 0);
    return rc;
}

int csctp_connect(struct socket *so, void *address, uint16_t port) {
    struct sockaddr_conn sconn = make_sconn(address, port);
    int rc;
    LOCKED(rc = usrsctp_connect(so, (struct sockaddr *)&sconn, sizeof(sconn)) < 0 ? -errno : 0);
    return rc;
}

static int configure_locked(struct socket *so, uint16_t streams, uint32_t path_mtu, int buffer_size) {
    // Non-blocking: sends fail with EWOULDBLOCK instead of stalling the caller's event loop.
    if (usrsctp_set_non_blocking(so, 1) < 0) return -errno;
    // Close aborts (no lingering graceful shutdown), as WebRTC stacks do.
    struct linger lin = {.l_onoff = 1, .l_linger = 0};
    if (usrsctp_setsockopt(so, SOL_SOCKET, SO_LINGER, &lin, sizeof(lin)) < 0) return -errno;
    if (usrsctp_setsockopt(so, SOL_SOCKET, SO_SNDBUF, &buffer_size, sizeof(buffer_size)) < 0) return -errno;
    if (usrsctp_setsockopt(so, SOL_SOCKET, SO_RCVBUF, &buffer_size, sizeof(buffer_size)) < 0) return -errno;
    // RFC 8831 §6.1: stream reset (RFC 6525) is used to close data channels.
    struct sctp_assoc_value av = {.assoc_id = SCTP_ALL_ASSOC, .assoc_value = SCTP_ENABLE_RESET_STREAM_REQ};
    if (usrsctp_setsockopt(so, IPPROTO_SCTP, SCTP_ENABLE_STREAM_RESET, &av, sizeof(av)) < 0) return -errno;
    int on = 1;
    if (usrsctp_setsockopt(so, IPPROTO_SCTP, SCTP_NODELAY, &on, sizeof(on)) < 0) return -errno;
    if (usrsctp_setsockopt(so, IPPROTO_SCTP, SCTP_RECVRCVINFO, &on, sizeof(on)) < 0) return -errno;
    struct sctp_initmsg init;
    memset(&init, 0, sizeof(init));
    init.sinit_num_ostreams = streams;
    init.sinit_max_instreams = streams;
    if (usrsctp_setsockopt(so, IPPROTO_SCTP, SCTP_INITMSG, &init, sizeof(init)) < 0) return -errno;
    // RFC 8261 §5: SCTP over DTLS must not exceed the path MTU; PMTUD is off, a fixed size is used.
    // No heartbeats of our own (RFC 4960 §8.3 lets an endpoint turn them off): ICE consent
    // freshness (RFC 7675) already ends a transport whose path died, and each association's
    // heartbeat timer would sit in the callout list usrsctp walks on every timer pass. Heartbeats
    // the peer sends are still acknowledged.
    struct sctp_paddrparams params;
    memset(&params, 0, sizeof(params));
    params.spp_address.ss_family = AF_CONN;
    params.spp_flags = SPP_PMTUD_DISABLE | SPP_HB_DISABLE;
    params.spp_pathmtu = path_mtu;
    if (usrsctp_setsockopt(so, IPPROTO_SCTP, SCTP_PEER_ADDR_PARAMS, &params, sizeof(params)) < 0) return -errno;
    const uint16_t events[] = {SCTP_ASSOC_CHANGE, SCTP_STREAM_RESET_EVENT, SCTP_PARTIAL_DELIVERY_EVENT};
    for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
        struct sctp_event ev;
        memset(&ev, 0, sizeof(ev));
        ev.se_assoc_id = SCTP_ALL_ASSOC;
        ev.se_type = events[i];
        ev.se_on = 1;
        if (usrsctp_setsockopt(so, IPPROTO_SCTP, SCTP_EVENT, &ev, sizeof(ev)) < 0) return -errno;
    }
    return 0;
}

int csctp_configure(struct socket *so, uint16_t streams, uint32_t path_mtu, int buffer_size) {
    int rc;
    LOCKED(rc = configure_locked(so, streams, path_mtu, buffer_size));
    return rc;
}

int csctp_errno(void) {
    return errno;
}
