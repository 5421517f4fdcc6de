m4_divert(-1)
# gather_nd.m4 - GatherND: for each of BATCH x NQ index tuples of K entries,
# copies a slice of SLICE elements of x. XBATCH is x's size per batch;
# XDIMS/XSTRIDES the dims and strides the K entries index. Out-of-range
# entries read position 0 (undefined in ONNX, never a crash).
# Parameters: T TI BATCH NQ K SLICE XBATCH XDIMS XSTRIDES
m4_need(`T')m4_need(`TI')m4_need(`K')
m4_divert(0)m4_dnl
static void KNAME`'(const T *restrict x, const TI *restrict idx, T *restrict y)
{
    static const long xd[K] = XDIMS;
    static const long xs[K] = XSTRIDES;
    long b, q;
    int j;
    for (b = 0; b < BATCH; b++)
        for (q = 0; q < NQ; q++) {
            const TI *ix = idx + (b * NQ + q) * (long)K;
            long off = b * (long)XBATCH;
            for (j = 0; j < K; j++) {
                long v = (long)ix[j];
                if (v < 0) v += xd[j];
                if (v < 0 || v >= xd[j]) v = 0;
                off += v * xs[j];
            }
            memcpy(y + (b * NQ + q) * (long)SLICE, x + off, sizeof(T) * (size_t)SLICE);
        }
}
