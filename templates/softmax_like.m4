m4_divert(-1)
# softmax_like.m4 - LogSoftmax or Hardmax along the middle axis of
# [OUTER, DIM, INNER]. Parameters: KNAME, OP, T (float or double), OUTER,
# DIM, INNER. LogSoftmax is x - max - log(sum(exp(x - max))), computed in
# double; Hardmax is 1 at the first maximum and 0 elsewhere.
m4_need(`OP')m4_need(`T')m4_need(`DIM')
m4_divert(0)m4_dnl
static void KNAME`'(const T *restrict x, T *restrict y)
{
    long o, i, d;
    if (DIM == 0) return; /* empty: nothing to read or write */
    for (o = 0; o < OUTER; o++)
        for (i = 0; i < INNER; i++) {
            const T *xr = x + o * (long)(DIM * INNER) + i;
            T *yr = y + o * (long)(DIM * INNER) + i;
            long at = 0;
            for (d = 1; d < DIM; d++)
                if (xr[d * INNER] > xr[at * INNER]) at = d;
m4_ifelse(OP, `Hardmax', `m4_dnl
            for (d = 0; d < DIM; d++) yr[d * INNER] = (T)(d == at);
', `m4_dnl
            {
                double m = (double)xr[at * INNER], s = 0.0, ls;
                for (d = 0; d < DIM; d++) s += exp((double)xr[d * INNER] - m);
                ls = log(s);
                for (d = 0; d < DIM; d++) yr[d * INNER] = (T)((double)xr[d * INNER] - m - ls);
            }
')m4_dnl
        }
}
