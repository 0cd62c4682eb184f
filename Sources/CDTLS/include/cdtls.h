#ifndef CDTLS_H
#define CDTLS_H
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/evp.h>
#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/rand.h>
#include <srtp2/srtp.h>
#include <stddef.h>

// One-line wrappers for OpenSSL / libsrtp macros that Swift cannot call.
// No logic lives here: see Sources/DTLS.

/// SSL_CTX_set_min_proto_version (macro over SSL_CTX_ctrl). Returns 1 on success.
int cdtls_ctx_set_min_proto_version(SSL_CTX *ctx, int version);
/// SSL_CTX_set_max_proto_version (macro over SSL_CTX_ctrl). Returns 1 on success.
int cdtls_ctx_set_max_proto_version(SSL_CTX *ctx, int version);
/// SSL_CTX_set1_groups_list (macro over SSL_CTX_ctrl). Returns 1 on success.
int cdtls_ctx_set1_groups_list(SSL_CTX *ctx, const char *groups);
/// SSL_set_options(ssl, SSL_OP_NO_QUERY_MTU) (the option is a function-like macro).
void cdtls_set_no_query_mtu(SSL *ssl);
/// DTLS_set_link_mtu (macro over SSL_ctrl). Returns 1 on success.
int cdtls_set_link_mtu(SSL *ssl, long mtu);
/// DTLSv1_get_timeout (macro over SSL_ctrl). Returns 1 and writes seconds if a timer runs.
int cdtls_get_timeout(SSL *ssl, double *seconds);
/// DTLSv1_handle_timeout (macro over SSL_ctrl). 1: retransmitted, 0: nothing to do, -1: failure.
int cdtls_handle_timeout(SSL *ssl);
/// BIO_set_mem_eof_return (macro over BIO_ctrl).
void cdtls_bio_set_mem_eof_return(BIO *bio, int value);
/// BIO_ctrl_pending for a memory BIO.
size_t cdtls_bio_pending(BIO *bio);
/// EVP_EC_gen("P-256") (macro over the variadic EVP_PKEY_Q_keygen).
EVP_PKEY *cdtls_ec_p256_generate(void);
/// SRTP_MAX_TRAILER_LEN.
int cdtls_srtp_max_trailer_len(void);

#endif
