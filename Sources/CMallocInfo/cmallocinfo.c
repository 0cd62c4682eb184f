#include "cmallocinfo.h"
// Any C library header defines __GLIBC__ (through <features.h> on glibc).
#include <stdlib.h>

#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
#include <malloc.h>

cmallocinfo_figures cmallocinfo_read(void) {
    struct mallinfo2 info = mallinfo2();
    cmallocinfo_figures figures = {
        .heap = info.arena + info.hblkhd,
        .in_use = info.uordblks + info.hblkhd,
        .free = info.fordblks,
    };
    return figures;
}
#else
cmallocinfo_figures cmallocinfo_read(void) {
    cmallocinfo_figures figures = {0, 0, 0};
    return figures;
}
#endif
