m4_divert(-1)
# where.m4 - y = c ? a : b with numpy broadcasting of all three.
# Parameters: KNAME, T, N, RANK, DIMS (output dims), SC, SA, SB (each
# operand's element strides, 0 where broadcast).
m4_need(`T')m4_need(`RANK')
m4_divert(0)m4_dnl
static void KNAME`'(const uint8_t *c, const T *a, const T *b, T *restrict y)
{
    static const long dims[RANK] = DIMS;
    static const long sc[RANK] = SC;
    static const long sa[RANK] = SA;
    static const long sb[RANK] = SB;
    long idx[RANK] = {0};
    long ic = 0, ia = 0, ib = 0, i;
    int d;
    for (i = 0; i < N; i++) {
        y[i] = c[ic] ? a[ia] : b[ib];
        for (d = RANK - 1; d >= 0; d--) {
            ic += sc[d];
            ia += sa[d];
            ib += sb[d];
            if (++idx[d] < dims[d]) break;
            ic -= sc[d] * dims[d];
            ia -= sa[d] * dims[d];
            ib -= sb[d] * dims[d];
            idx[d] = 0;
        }
    }
}
