m4_divert(-1)
# transpose.m4 - y[i0, i1, ...] = x[sum i_k * STRIDES[k]] over the output
# DIMS (also used for Slice, a strided gather). Parameters: T N RANK DIMS STRIDES
# When the last two output axes swap the input's (the next-to-last has
# input stride 1: K^T in attention, NCHW<->NHWC), rows of y would each read
# a column of x, one cache line per element; that case goes in blocks of 8
# rows of y so every line of x read serves 8 of them. Vectorizing these
# strided copies makes clang emit gathers, ~10x slower here than scalar
# loads (measured on the attention K^T: 13 us vs 1.4 us), so it is off.
m4_need(`RANK')m4_need(`T')
m4_define(`NO_VECTORIZE', `#if defined(__clang__)
#pragma clang loop vectorize(disable)
#endif
')
m4_divert(0)m4_dnl
static void KNAME`'(const T *restrict x, T *restrict y)
{
    static const long dims[RANK] = DIMS;
    static const long st[RANK] = STRIDES;
    long idx[RANK] = {0};
    long i, j, d, off = 0;
    const long inner = dims[RANK - 1], sin = st[RANK - 1];
m4_ifelse(m4_eval(RANK >= 2), 1, `    if (st[RANK - 2] == 1 && sin != 1 && dims[RANK - 2] >= 8) {
        const long rows = dims[RANK - 2];
        for (i = 0; i < N; i += rows * inner) {
            long a0, a;
            for (a0 = 0; a0 < rows; a0 += 8) {
                long a1 = a0 + 8 < rows ? a0 + 8 : rows;
NO_VECTORIZE`'m4_dnl
                for (j = 0; j < inner; j++) {
NO_VECTORIZE`'m4_dnl
                    for (a = a0; a < a1; a++) y[i + a * inner + j] = x[off + a + j * sin];
                }
            }
            for (d = RANK - 3; d >= 0; d--) {
                off += st[d];
                if (++idx[d] < dims[d]) break;
                off -= st[d] * dims[d];
                idx[d] = 0;
            }
        }
        return;
    }
')m4_dnl
    for (i = 0; i < N; i += inner) {
NO_VECTORIZE`'m4_dnl
        for (j = 0; j < inner; j++) y[i + j] = x[off + j * sin];
        for (d = RANK - 2; d >= 0; d--) {
            off += st[d];
            if (++idx[d] < dims[d]) break;
            off -= st[d] * dims[d];
            idx[d] = 0;
        }
    }
}
