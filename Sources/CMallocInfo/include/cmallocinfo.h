#ifndef CMALLOCINFO_H
#define CMALLOCINFO_H

#include <stddef.h>

/// glibc's heap figures (mallinfo2(3), summed over every arena), in bytes. All 0 where the C
/// library has no mallinfo2. <malloc.h> is not part of Swift's Glibc module, hence this shim.
typedef struct {
    size_t heap;     /// arena + hblkhd: what malloc holds from the system
    size_t in_use;   /// uordblks + hblkhd: what the program holds
    size_t free;     /// fordblks: held by malloc, used by nothing
} cmallocinfo_figures;

cmallocinfo_figures cmallocinfo_read(void);

#endif
