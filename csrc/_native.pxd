# Small C helpers shared by the kernels: cimport them (`from _native cimport nz_prefetch`).

cdef extern from *:
    """
    #include <stdlib.h>
    #include <sys/mman.h>

    /* Ask for the cache line holding p ahead of use: for writing, or (_r) for reading only. */
    static inline void nz_prefetch(const void *p) { __builtin_prefetch(p, 1, 3); }
    static inline void nz_prefetch_r(const void *p) { __builtin_prefetch(p, 0, 3); }

    /* Zeroed memory for a large hash table. From NZ_HUGE bytes on it is mapped directly and
       marked for transparent huge pages where the kernel allows it (Linux "madvise" mode): a
       table probed at random then takes 512x fewer page faults and TLB misses. Release it with
       nz_free_table(p, same size). */
    #define NZ_HUGE ((size_t)1 << 22)
    static inline void *nz_alloc_table(size_t size) {
    #if defined(MAP_ANONYMOUS) && defined(MADV_HUGEPAGE)
        if (size >= NZ_HUGE) {
            void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (p == MAP_FAILED) return NULL;
            madvise(p, size, MADV_HUGEPAGE);
            return p;
        }
    #endif
        return calloc(size ? size : 1, 1);
    }
    static inline void nz_free_table(void *p, size_t size) {
        if (p == NULL) return;
    #if defined(MAP_ANONYMOUS) && defined(MADV_HUGEPAGE)
        if (size >= NZ_HUGE) { munmap(p, size); return; }
    #endif
        free(p);
    }
    """
    void nz_prefetch(const void *p) noexcept nogil
    void nz_prefetch_r(const void *p) noexcept nogil
    void *nz_alloc_table(size_t size) noexcept nogil
    void nz_free_table(void *p, size_t size) noexcept nogil
