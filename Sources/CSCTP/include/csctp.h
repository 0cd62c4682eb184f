// C glue over usrsctp for the DataChannel module.
//
// usrsctp is initialised with usrsctp_init_nothreads: it starts no timer or raw-socket
// threads, and every function below enters it under one process-wide recursive lock, so
// the stack only ever runs on one thread at a time (callbacks run under that lock too).
// The owner must call csctp_handle_timers every few milliseconds.
//
// usrsctp's receive callback takes a union and a struct by value and hands
// ownership of the buffer to the callee; these trampolines flatten that into
// plain scalars so Swift can provide @convention(c) functions without
// touching the unions. Everything else (setsockopt structs, conninput,
// register_address) is called from Swift directly.
#ifndef CSCTP_H
#define CSCTP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <usrsctp.h>

/// An SCTP packet produced by usrsctp for the association registered as `address`.
typedef void (*csctp_output_fn)(void *_Nullable address, const void *_Nonnull packet, size_t length);

/// Data or a notification read from the socket whose ulp_info is `ulp_info`.
/// `data == NULL` means the socket was disconnected (usrsctp's EOF signal).
/// `ppid` is in host byte order. The buffer is only valid during the call.
typedef void (*csctp_receive_fn)(void *_Nullable ulp_info, const void *_Nullable data, size_t length,
                                 uint16_t stream_id, uint32_t ppid,
                                 int is_notification, int end_of_record);

/// Initialises usrsctp once per process (later calls are no-ops) and sets the
/// stack-wide sysctls used for WebRTC data channels. Thread-safe.
void csctp_init_once(csctp_output_fn _Nonnull output, csctp_receive_fn _Nonnull receive);

/// Locked wrappers of the usrsctp calls of the same names.
void csctp_register_address(void *_Nonnull address);
void csctp_deregister_address(void *_Nonnull address);
void csctp_conninput(void *_Nonnull address, const void *_Nonnull packet, size_t length);
void csctp_close(struct socket *_Nonnull so);
/// Advances usrsctp's timers (retransmission, SACK, heartbeat) by the elapsed time.
void csctp_handle_timers(uint32_t elapsed_milliseconds);

/// An AF_CONN one-to-one socket whose reads are delivered to the receive function.
struct socket *_Nullable csctp_socket(void *_Nullable ulp_info);

/// usrsctp_sendv with sndinfo (+ prinfo when pr_policy != SCTP_PR_SCTP_NONE).
/// Returns the number of bytes queued, or -errno.
ssize_t csctp_send(struct socket *_Nonnull so, const void *_Nullable data, size_t length,
                   uint16_t stream_id, uint32_t ppid, int unordered,
                   uint16_t pr_policy, uint32_t pr_value);

/// Resets one outgoing stream (RFC 6525 via SCTP_RESET_STREAMS). Returns 0 or -errno.
int csctp_reset_outgoing_stream(struct socket *_Nonnull so, uint16_t stream_id);

/// bind/connect with a sockaddr_conn. Return 0 or -errno (connect: -EINPROGRESS is normal).
int csctp_bind(struct socket *_Nonnull so, void *_Nullable address, uint16_t port);
int csctp_connect(struct socket *_Nonnull so, void *_Nullable address, uint16_t port);

/// Socket options for a WebRTC data channel association: non-blocking, abort on close,
/// buffer sizes, stream reset enabled, NODELAY, RECVRCVINFO, stream counts (INITMSG),
/// fixed path MTU, and ASSOC_CHANGE / STREAM_RESET / PARTIAL_DELIVERY notifications.
/// Returns 0 or -errno.
int csctp_configure(struct socket *_Nonnull so, uint16_t streams, uint32_t path_mtu, int buffer_size);

/// The current thread's errno (Swift cannot read the macro portably).
int csctp_errno(void);

#endif
