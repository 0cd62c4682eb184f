#ifndef CZLIB_H
#define CZLIB_H
#include <stddef.h>

/// Inflates a gzip (RFC 1952) or zlib (RFC 1950) stream into `out`. Returns the number of
/// bytes written, -1 if the input is not a complete valid stream, -2 if the output would
/// exceed `out_capacity` (the caller's bound against decompression bombs).
long czlib_gunzip(const unsigned char *in, size_t in_length, unsigned char *out, size_t out_capacity);

#endif
