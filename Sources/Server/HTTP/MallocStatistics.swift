import CMallocInfo

/// glibc's own account of the heap (`mallinfo2(3)`, every arena), for `/metrics`. Beside RSS it
/// tells a leak (bytes in use keep growing) from fragmentation or arenas kept by the allocator
/// (in use flat, free bytes and heap size growing). Read when `/metrics` is scraped; glibc
/// takes each arena's lock for it.
enum MallocStatistics {
    static var prometheusText: String {
        let figures = cmallocinfo_read()
        return """
            # HELP sfu_malloc_in_use_bytes Bytes the program holds from malloc (glibc mallinfo2: uordblks + hblkhd)
            # TYPE sfu_malloc_in_use_bytes gauge
            sfu_malloc_in_use_bytes \(figures.in_use)
            # HELP sfu_malloc_heap_bytes Bytes malloc holds from the system (arena + hblkhd)
            # TYPE sfu_malloc_heap_bytes gauge
            sfu_malloc_heap_bytes \(figures.heap)
            # HELP sfu_malloc_free_bytes Bytes malloc holds but nothing uses (fordblks)
            # TYPE sfu_malloc_free_bytes gauge
            sfu_malloc_free_bytes \(figures.free)

            """
    }
}
