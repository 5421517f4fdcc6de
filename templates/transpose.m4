m4_divert(-1)
# transpose.m4 - y[i0, i1, ...] = x[sum i_k * STRIDES[k]] over the output
# DIMS (also used for Slice, a strided gather). Parameters: T N RANK DIMS STRIDES
m4_need(`RANK')m4_need(`T')
m4_divert(0)m4_dnl
static void KNAME`'(const T *restrict x, T *restrict y)
{
    static const long dims[RANK] = DIMS;
    static const long st[RANK] = STRIDES;
    long idx[RANK] = {0};
    long i, j, d, off = 0;
    const long inner = dims[RANK - 1], sin = st[RANK - 1];
    for (i = 0; i < N; i += inner) {
        for (j = 0; j < inner; j++) y[i + j] = x[off + j * sin];
        for (d = RANK - 2; d >= 0; d--) {
            off += st[d];
            if (++idx[d] < dims[d]) break;
            off -= st[d] * dims[d];
            idx[d] = 0;
        }
    }
}
