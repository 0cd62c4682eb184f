#include "csrtpcipher.h"

#include <stdlib.h>

#include "CCryptoBoringSSL_aead.h"
#include "CCryptoBoringSSL_err.h"

enum { TAG_LENGTH = 16, NONCE_LENGTH = 12, KEY_LENGTH = 16 };

struct csrtp_gcm {
    EVP_AEAD_CTX context;
};

csrtp_gcm *csrtp_gcm_new(const uint8_t *key, size_t key_length) {
    if (key_length != KEY_LENGTH) return NULL;
    csrtp_gcm *gcm = malloc(sizeof *gcm);
    if (gcm == NULL) return NULL;
    EVP_AEAD_CTX_zero(&gcm->context);
    if (EVP_AEAD_CTX_init(&gcm->context, EVP_aead_aes_128_gcm(), key, key_length, TAG_LENGTH, NULL) != 1) {
        ERR_clear_error();
        free(gcm);
        return NULL;
    }
    return gcm;
}

void csrtp_gcm_free(csrtp_gcm *gcm) {
    if (gcm == NULL) return;
    EVP_AEAD_CTX_cleanup(&gcm->context);
    free(gcm);
}

int csrtp_gcm_seal(csrtp_gcm *gcm, const uint8_t *nonce, const uint8_t *ad, size_t ad_length,
                   uint8_t *data, size_t length, uint8_t *tag) {
    size_t tag_length = 0;
    // In place: BoringSSL allows `out` and `in` to be the same buffer.
    if (EVP_AEAD_CTX_seal_scatter(&gcm->context, data, tag, &tag_length, TAG_LENGTH, nonce, NONCE_LENGTH,
                                  data, length, NULL, 0, ad, ad_length) != 1 || tag_length != TAG_LENGTH) {
        ERR_clear_error();
        return 0;
    }
    return 1;
}

int csrtp_gcm_open(csrtp_gcm *gcm, const uint8_t *nonce, const uint8_t *ad, size_t ad_length,
                   uint8_t *data, size_t length, const uint8_t *tag) {
    if (EVP_AEAD_CTX_open_gather(&gcm->context, data, nonce, NONCE_LENGTH, data, length, tag, TAG_LENGTH,
                                 ad, ad_length) != 1) {
        // A failed open leaves a reason in BoringSSL's per-thread error ring; clear it.
        ERR_clear_error();
        return 0;
    }
    return 1;
}
