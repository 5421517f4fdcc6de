m4_divert(-1)
# scatter_elements.m4 - y = x, then y[i with i[AXIS] replaced by idx[i]]
# combined with upd[i] (REDUCE) for each of the N elements of idx, in order.
# Out-of-range indices write position 0 (undefined in ONNX, never a crash).
# Parameters: T TI RANK N NX IDIMS XSTRIDES AXIS AXIS_DIM REDUCE
m4_need(`T')m4_need(`TI')m4_need(`RANK')m4_need(`REDUCE')
m4_include(`scatter_common.m4')
m4_divert(0)m4_dnl
static void KNAME`'(const T *x, const TI *idx, const T *upd, T *y)
{
    static const long idims[RANK] = IDIMS;
    static const long xst[RANK] = XSTRIDES;
    long i;
    int d;
    if ((const T *)y != x) memcpy(y, x, sizeof(T) * (size_t)NX);
    for (i = 0; i < N; i++) {
        long rem = i, off = 0;
        for (d = RANK - 1; d >= 0; d--) {
            long c = rem % idims[d];
            rem /= idims[d];
            if (d == AXIS) {
                c = (long)idx[i];
                if (c < 0) c += AXIS_DIM;
                if (c < 0 || c >= AXIS_DIM) c = 0;
            }
            off += c * xst[d];
        }
        SCATTER_APPLY(`y[off]', `upd[i]')
    }
}
