#ifndef CSRTPCIPHER_H
#define CSRTPCIPHER_H

#include <stddef.h>
#include <stdint.h>

/// AES-128-GCM with 16-byte tags (NIST SP 800-38D; RFC 7714's AEAD_AES_128_GCM) over
/// BoringSSL's one-call AEAD, as swift-crypto vendors it. This header names no BoringSSL type:
/// Swift modules that import it (DTLS, which also imports OpenSSL) never load BoringSSL's
/// headers, whose structs clang refuses to see beside OpenSSL's same-named ones.
typedef struct csrtp_gcm csrtp_gcm;

/// Keyed once; NULL if the key is not 16 bytes or is refused.
csrtp_gcm *csrtp_gcm_new(const uint8_t *key, size_t key_length);

/// Frees the key state (BoringSSL cleanses it first).
void csrtp_gcm_free(csrtp_gcm *gcm);

/// Encrypts `length` bytes at `data` in place and writes the 16-byte tag at `tag`, with the
/// 12-byte `nonce` and `ad_length` bytes of associated data. 1 on success, 0 on failure.
int csrtp_gcm_seal(csrtp_gcm *gcm, const uint8_t *nonce, const uint8_t *ad, size_t ad_length,
                   uint8_t *data, size_t length, uint8_t *tag);

/// Decrypts `length` bytes at `data` in place if the 16-byte `tag` verifies over the
/// associated data and the ciphertext. 1 if it does, 0 if not (the bytes are then garbage).
int csrtp_gcm_open(csrtp_gcm *gcm, const uint8_t *nonce, const uint8_t *ad, size_t ad_length,
                   uint8_t *data, size_t length, const uint8_t *tag);

#endif
