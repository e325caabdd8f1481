# The text model as inline C functions, shared by every kernel (cimport it).
from libc.stdint cimport uint32_t


cdef inline bint is_word_char(uint32_t c) noexcept nogil:
    """True for "word characters": CJK ideographs (URO, ext. A, compatibility, planes 2-3),
    ASCII letters and digits. Everything else is a run boundary."""
    if c < 128:
        return <uint32_t>(c - 48) < 10 or <uint32_t>((c | 32) - 97) < 26
    return ((0x4E00 <= c <= 0x9FFF) or (0x3400 <= c <= 0x4DBF)
            or (0x20000 <= c <= 0x3FFFF) or (0xF900 <= c <= 0xFAFF))


cdef inline uint32_t normalize_char(uint32_t c) noexcept nogil:
    """Full-width ASCII U+FF01-FF5E -> U+0021-007E and U+3000 -> space; others unchanged."""
    if 0xFF01 <= c <= 0xFF5E:
        return c - 0xFEE0
    if c == 0x3000:
        return 0x20
    return c


cdef inline bint is_ascii_alnum(uint32_t c) noexcept nogil:
    return c < 128 and (<uint32_t>(c - 48) < 10 or <uint32_t>((c | 32) - 97) < 26)
