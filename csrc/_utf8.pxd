# UTF-8 encoding of one code point into a byte buffer, as an inline C function shared by the
# kernels that write tokens as UTF-8 (cimport it; the caller's buffer has room for 4 bytes).
from libc.stdint cimport uint32_t


cdef inline Py_ssize_t put_utf8(unsigned char* b, Py_ssize_t j, uint32_t c) noexcept nogil:
    if c < 0x80:
        b[j] = <unsigned char>c
        return j + 1
    if c < 0x800:
        b[j] = <unsigned char>(0xC0 | (c >> 6))
        b[j + 1] = <unsigned char>(0x80 | (c & 0x3F))
        return j + 2
    if c < 0x10000:
        b[j] = <unsigned char>(0xE0 | (c >> 12))
        b[j + 1] = <unsigned char>(0x80 | ((c >> 6) & 0x3F))
        b[j + 2] = <unsigned char>(0x80 | (c & 0x3F))
        return j + 3
    b[j] = <unsigned char>(0xF0 | (c >> 18))
    b[j + 1] = <unsigned char>(0x80 | ((c >> 12) & 0x3F))
    b[j + 2] = <unsigned char>(0x80 | ((c >> 6) & 0x3F))
    b[j + 3] = <unsigned char>(0x80 | (c & 0x3F))
    return j + 4
