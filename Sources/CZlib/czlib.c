#include "czlib.h"
#include <zlib.h>
#include <string.h>

// inflateInit2 is a macro Swift cannot call; this wrapper runs one bounded inflate.
long czlib_gunzip(const unsigned char *in, size_t in_length, unsigned char *out, size_t out_capacity) {
    z_stream stream;
    memset(&stream, 0, sizeof(stream));
    // 15 + 32: detect gzip or zlib headers automatically (zlib manual, inflateInit2).
    if (inflateInit2(&stream, 15 + 32) != Z_OK) return -1;
    stream.next_in = (unsigned char *)in;
    stream.avail_in = (uInt)in_length;
    stream.next_out = out;
    stream.avail_out = (uInt)out_capacity;
    int status = inflate(&stream, Z_FINISH);
    long written = (long)stream.total_out;
    inflateEnd(&stream);
    if (status == Z_STREAM_END) return written;
    if (status == Z_BUF_ERROR && stream.avail_out == 0) return -2;
    return -1;
}
