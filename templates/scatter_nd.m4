m4_divert(-1)
# scatter_nd.m4 - y = x, then for each of the NQ index tuples of K entries
# the slice of SLICE elements at that position combined with the next
# SLICE updates (REDUCE). Out-of-range entries write position 0.
# Parameters: T TI NX NQ K SLICE XDIMS XSTRIDES REDUCE (BATCH = 1)
m4_need(`T')m4_need(`TI')m4_need(`K')m4_need(`REDUCE')
m4_include(`scatter_common.m4')
m4_divert(0)m4_dnl
static void KNAME`'(const T *x, const TI *idx, const T *upd, T *y)
{
    static const long xd[K] = XDIMS;
    static const long xs[K] = XSTRIDES;
    long q, s;
    int j;
    if ((const T *)y != x) memcpy(y, x, sizeof(T) * (size_t)NX);
    for (q = 0; q < NQ; q++) {
        const TI *ix = idx + q * (long)K;
        const T *u = upd + q * (long)SLICE;
        long off = 0;
        for (j = 0; j < K; j++) {
            long v = (long)ix[j];
            if (v < 0) v += xd[j];
            if (v < 0 || v >= xd[j]) v = 0;
            off += v * xs[j];
        }
        for (s = 0; s < SLICE; s++) {
            SCATTER_APPLY(`y[off + s]', `u[s]')
        }
    }
}
