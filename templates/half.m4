# half.m4 - float16 helpers for kernels that compute on IEEE half values
# stored as uint16_t bits (C99 has no half type). m4_include it, then
# HALF_FUNCS emits KNAME_h2f (exact decode to float) and KNAME_f2h (encode
# with round-to-nearest-even, overflow to infinity, NaN kept), named after
# the kernel so that instances never clash. Include it while output is
# diverted (it leaves the diversion as it is).
m4_define(`HALF_FUNCS', `
static float KNAME`'_h2f(uint16_t h)
{
    uint32_t s = (uint32_t)(h & 0x8000u) << 16, e = (h >> 10) & 0x1fu, m = h & 0x3ffu, b;
    float f;
    if (e == 0) {
        f = ldexpf((float)m, -24); /* zero or subnormal */
        return s ? -f : f;
    }
    b = s | (e == 31 ? 0x7f800000u : (e + 112) << 23) | (m << 13);
    memcpy(&f, &b, sizeof f);
    return f;
}

static uint16_t KNAME`'_f2h(float f)
{
    uint32_t b, m, q, rem, half;
    uint16_t s;
    int e, shift;
    memcpy(&b, &f, sizeof b);
    s = (uint16_t)((b >> 16) & 0x8000u);
    e = (int)((b >> 23) & 0xffu);
    m = b & 0x7fffffu;
    if (e == 0xff) return (uint16_t)(s | 0x7c00u | (m ? 0x200u : 0));
    e = e - 127 + 15;
    if (e >= 31) return (uint16_t)(s | 0x7c00u);
    if (e <= 0) {
        if (e < -10) return s;
        m |= 0x800000u;
        shift = 14 - e; /* a subnormal half counts units of 2^-24 */
    } else {
        shift = 13;
    }
    q = m >> shift;
    rem = m & ((1u << shift) - 1);
    half = 1u << (shift - 1);
    if (rem > half || (rem == half && (q & 1))) q++;
    /* a carry out of the significand rolls into the exponent correctly */
    return (uint16_t)(s | (e > 0 ? ((uint32_t)e << 10) + q : q));
}
')
