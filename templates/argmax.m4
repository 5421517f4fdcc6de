m4_divert(-1)
# argmax.m4 - ArgMax/ArgMin along the middle axis of [OUTER, DIM, INNER].
# Parameters: KNAME, T, BETTER (C comparison: > or < keep the first
# extreme, >= or <= the last), OUTER, DIM, INNER. Output is int64.
m4_need(`T')m4_need(`BETTER')m4_need(`DIM')
m4_divert(0)m4_dnl
static void KNAME`'(const T *restrict x, int64_t *restrict y)
{
    long o, i, d;
    for (o = 0; o < OUTER; o++)
        for (i = 0; i < INNER; i++) {
            const T *xr = x + o * (long)(DIM * INNER) + i;
            T best = xr[0];
            long at = 0;
            for (d = 1; d < DIM; d++)
                if (xr[d * INNER] BETTER best) {
                    best = xr[d * INNER];
                    at = d;
                }
            y[o * INNER + i] = at;
        }
}
