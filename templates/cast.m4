m4_divert(-1)
# cast.m4 - element-wise type conversion of N values.
# Parameters: TX TY N, and FROM / TO, the conversion path of each side:
#   int, float, bool: plain C conversion (to bool: x != 0);
#   half: float16 bits in uint16_t, decoded exactly, encoded from the double
#         value with round-to-nearest-even (overflow to infinity, NaN kept);
#   bf16: bfloat16 bits in uint16_t, decoded exactly; encoded by keeping the
#         upper 16 bits of the float (the ONNX 1.12 reference behaviour).
m4_need(`TX')m4_need(`TY')m4_need(`FROM')m4_need(`TO')
m4_define(`SPECIAL', m4_ifelse(FROM, `half', 1, FROM, `bf16', 1, TO, `half', 1, TO, `bf16', 1, 0))
# DECODE(x): the value of one input element as a double (special paths only).
m4_define(`DECODE', m4_ifelse(FROM, `half', `KNAME`'_from_half($1)',
  FROM, `bf16', `(double)KNAME`'_from_bf16($1)', `(double)$1'))
m4_define(`ENCODE', m4_ifelse(TO, `half', `KNAME`'_to_half($1)',
  TO, `bf16', `KNAME`'_to_bf16((float)$1)', TO, `bool', `(TY)($1 != 0)', `(TY)$1'))
m4_divert(0)m4_dnl
m4_ifelse(FROM, `half', `
static double KNAME`'_from_half(uint16_t h)
{
    int e = (h >> 10) & 0x1f, m = h & 0x3ff;
    double v;
    if (e == 31)
        v = m ? (double)NAN : (double)HUGE_VALF;
    else if (e == 0)
        v = ldexp((double)m, -24);
    else
        v = ldexp((double)(m | 0x400), e - 25);
    return (h & 0x8000) ? -v : v;
}
')m4_dnl
m4_ifelse(FROM, `bf16', `
static float KNAME`'_from_bf16(uint16_t h)
{
    uint32_t b = (uint32_t)h << 16;
    float f;
    memcpy(&f, &b, sizeof f);
    return f;
}
')m4_dnl
m4_ifelse(TO, `half', `
static uint16_t KNAME`'_to_half(double v)
{
    uint64_t b, m, q, rem, halfway;
    uint16_t s;
    int e, shift;
    memcpy(&b, &v, sizeof b);
    s = (uint16_t)((b >> 48) & 0x8000);
    e = (int)((b >> 52) & 0x7ff);
    m = b & 0xfffffffffffffULL;
    if (e == 0x7ff) return (uint16_t)(s | 0x7c00 | (m ? 0x200 : 0));
    if (e == 0) return s; /* double subnormals are far below half precision */
    e = e - 1023 + 15;
    if (e >= 31) return (uint16_t)(s | 0x7c00);
    m |= 1ULL << 52;
    shift = e >= 1 ? 42 : 43 - e; /* low bits dropped from the 53-bit significand */
    if (shift > 63) return s;
    q = m >> shift;
    rem = m & ((1ULL << shift) - 1);
    halfway = 1ULL << (shift - 1);
    if (rem > halfway || (rem == halfway && (q & 1))) q++;
    if (e >= 1) {
        /* a carry out of the significand bumps the exponent by itself */
        uint64_t r = ((uint64_t)e << 10) + q - 1024;
        return (uint16_t)(s | (r >= 0x7c00 ? 0x7c00 : r));
    }
    return (uint16_t)(s | q);
}
')m4_dnl
m4_ifelse(TO, `bf16', `
static uint16_t KNAME`'_to_bf16(float f)
{
    uint32_t b;
    memcpy(&b, &f, sizeof b);
    return (uint16_t)(b >> 16);
}
')m4_dnl
static void KNAME`'(const TX *restrict x, TY *restrict y)
{
    long i;
    for (i = 0; i < N; i++) y[i] = m4_ifelse(SPECIAL, 1, `ENCODE(DECODE(x[i]))', TO, `bool', `(TY)(x[i] != 0)', `(TY)x[i]');
}
