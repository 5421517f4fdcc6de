m4_divert(-1)
# gather_elements.m4 - y[i] = x[i with i[AXIS] replaced by idx[i]] over the
# N elements of idx (dims IDIMS); XSTRIDES are x's strides. An index out of
# [-AXIS_DIM, AXIS_DIM) reads position 0 (undefined in ONNX, never a crash).
# Parameters: T TI RANK N IDIMS XSTRIDES AXIS AXIS_DIM
m4_need(`T')m4_need(`TI')m4_need(`RANK')
m4_divert(0)m4_dnl
static void KNAME`'(const T *restrict x, const TI *restrict idx, T *restrict y)
{
    static const long idims[RANK] = IDIMS;
    static const long xst[RANK] = XSTRIDES;
    long i;
    int d;
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
        y[i] = x[off];
    }
}
