m4_divert(-1)
# maxunpool.m4 - y = 0, then x[i] goes to the position idx[i] names in the
# index space IDIMS (the shape the pooling inverts to), at the same
# coordinates of y (dims ODIMS); positions outside y or an index outside
# IDIMS are dropped. Parameters: N NY RANK IDIMS ODIMS
m4_need(`N')m4_need(`NY')m4_need(`RANK')
m4_divert(0)m4_dnl
static void KNAME`'(const float *restrict x, const int64_t *restrict idx, float *restrict y)
{
    static const long id[RANK] = IDIMS, od[RANK] = ODIMS;
    long i;
    int d;
    for (i = 0; i < NY; i++) y[i] = 0.0f;
    for (i = 0; i < N; i++) {
        long rem = (long)idx[i], off = 0, st = 1, total = 1;
        int ok = 1;
        for (d = 0; d < RANK; d++) total *= id[d];
        if (rem < 0 || rem >= total) continue;
        for (d = RANK - 1; d >= 0; d--) {
            long c = rem % id[d];
            rem /= id[d];
            if (c >= od[d]) ok = 0;
            off += c * st;
            st *= od[d];
        }
        if (ok) y[off] = x[i];
    }
}
