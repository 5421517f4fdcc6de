m4_divert(-1)
# cast_to_string.m4 - N numbers to strings, as numpy's str() writes them
# (which is what the ONNX reference data holds): the shortest digits that
# read back as the same value, positional for 1e-4 <= |x| < 1e16 (by the
# exact value of x; whole numbers get a trailing ".0"), else d.ddde+XX;
# "nan", "inf", "-inf".
# Each string gets its own SLOT bytes of chars, which live as long as the
# run's workspace (the planner keeps this node's scratch to the end).
# Parameters: TX (a C number type), KIND (float: at most MAXDIG significant
# digits, 9 for float and 17 for double; int; uint), N, SLOT.
m4_need(`TX')m4_need(`KIND')m4_need(`N')m4_need(`SLOT')
m4_divert(0)m4_dnl
#include <stdio.h>
#include <stdlib.h>

m4_ifelse(KIND, `float', `m4_need(`MAXDIG')m4_dnl
/* The shortest decimal form of v that converts back to v, as a digit
   string and the decimal exponent of its first digit. */
static int KNAME`'_shortest(TX v, char *digits, int *exp10)
{
    char sci[40];
    int p, nd = 0;
    const char *s;
    for (p = 1; p < MAXDIG; p++) {
        snprintf(sci, sizeof sci, "%.*e", p - 1, (double)v);
        if (m4_ifelse(TX, `float', `strtof', `strtod')(sci, NULL) == v) break;
    }
    snprintf(sci, sizeof sci, "%.*e", p - 1, (double)v);
    for (s = sci; *s && *s != 0x65; s++) /* up to the e */
        if (*s >= 0x30 && *s <= 0x39) digits[nd++] = *s;
    while (nd > 1 && digits[nd - 1] == 0x30) nd--;
    digits[nd] = 0;
    *exp10 = *s ? atoi(s + 1) : 0;
    return nd;
}

static void KNAME`'_format(TX v, char *out)
{
    char digits[24];
    int nd, e, i, k = 0;
    double d = (double)v;
    if (d != d) {
        strcpy(out, "nan");
        return;
    }
    if (d == HUGE_VAL || d == -HUGE_VAL) {
        strcpy(out, d < 0 ? "-inf" : "inf");
        return;
    }
    if (signbit(d)) out[k++] = 0x2d; /* - */
    if (d == 0) {
        strcpy(out + k, "0.0");
        return;
    }
    nd = KNAME`'_shortest(v, digits, &e);
    /* numpy decides by the exact value, not the rounded digits: the float
       nearest 1e-4 lies below it, so it prints as 1e-04. */
    if (fabs(d) < 1e-4 || fabs(d) >= 1e16) {
        out[k++] = digits[0];
        if (nd > 1) {
            out[k++] = 0x2e; /* . */
            memcpy(out + k, digits + 1, (size_t)(nd - 1));
            k += nd - 1;
        }
        snprintf(out + k, (size_t)(SLOT - k), "e%c%02d", e < 0 ? 0x2d : 0x2b, e < 0 ? -e : e);
        return;
    }
    if (e < 0) {
        out[k++] = 0x30;
        out[k++] = 0x2e;
        for (i = 1; i < -e; i++) out[k++] = 0x30;
        memcpy(out + k, digits, (size_t)nd);
        k += nd;
    } else {
        for (i = 0; i <= e || i < nd; i++) {
            if (i == e + 1) out[k++] = 0x2e;
            out[k++] = i < nd ? digits[i] : 0x30;
        }
        if (e >= nd - 1) {
            out[k++] = 0x2e;
            out[k++] = 0x30;
        }
    }
    out[k] = 0;
}
', KIND, `int', `static void KNAME`'_format(TX v, char *out)
{
    snprintf(out, SLOT, "%lld", (long long)v);
}
', `static void KNAME`'_format(TX v, char *out)
{
    snprintf(out, SLOT, "%llu", (unsigned long long)v);
}
')m4_dnl
static void KNAME`'(const TX *restrict x, mlegen_str *restrict y, char *restrict chars)
{
    long i;
    for (i = 0; i < N; i++) {
        char *slot = chars + (size_t)i * SLOT;
        KNAME`'_format(x[i], slot);
        y[i] = slot;
    }
}
