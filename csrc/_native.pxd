# Small C helpers shared by the kernels: cimport them (`from _native cimport nz_prefetch`).

cdef extern from *:
    """
    /* Ask for the cache line holding p ahead of use: for writing, or (_r) for reading only. */
    static inline void nz_prefetch(const void *p) { __builtin_prefetch(p, 1, 3); }
    static inline void nz_prefetch_r(const void *p) { __builtin_prefetch(p, 0, 3); }
    """
    void nz_prefetch(const void *p) noexcept nogil
    void nz_prefetch_r(const void *p) noexcept nogil
