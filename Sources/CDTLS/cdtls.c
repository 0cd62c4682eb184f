#include "cdtls.h"

int cdtls_ctx_set_min_proto_version(SSL_CTX *ctx, int version) { return (int)SSL_CTX_set_min_proto_version(ctx, version); }
int cdtls_ctx_set_max_proto_version(SSL_CTX *ctx, int version) { return (int)SSL_CTX_set_max_proto_version(ctx, version); }
int cdtls_ctx_set1_groups_list(SSL_CTX *ctx, const char *groups) { return (int)SSL_CTX_set1_groups_list(ctx, groups); }
void cdtls_set_no_query_mtu(SSL *ssl) { SSL_set_options(ssl, SSL_OP_NO_QUERY_MTU); }
int cdtls_set_link_mtu(SSL *ssl, long mtu) { return (int)DTLS_set_link_mtu(ssl, mtu); }
int cdtls_get_timeout(SSL *ssl, double *seconds) {
    struct timeval tv = {0, 0};
    int r = (int)DTLSv1_get_timeout(ssl, &tv);
    *seconds = (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
    return r;
}
int cdtls_handle_timeout(SSL *ssl) { return (int)DTLSv1_handle_timeout(ssl); }
void cdtls_bio_set_mem_eof_return(BIO *bio, int value) { (void)BIO_set_mem_eof_return(bio, value); }
size_t cdtls_bio_pending(BIO *bio) { return BIO_ctrl_pending(bio); }
EVP_PKEY *cdtls_ec_p256_generate(void) { return EVP_EC_gen("P-256"); }
int cdtls_srtp_max_trailer_len(void) { return SRTP_MAX_TRAILER_LEN; }
