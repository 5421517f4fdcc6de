m4_divert(-1)
# topk.m4 - TopK along the middle axis of [OUTER, DIM, INNER]: the K best
# values in order with their indices (ties: lower index first). Insertion
# into a K-long list per row: O(DIM * K), fine for the K models use.
# Parameters: KNAME, T, OUTER, DIM, INNER, K, KBUF (max(K, 1)), LARGEST,
# HAS_VALUES, HAS_INDICES (0: that output pointer is null and unused).
m4_need(`T')m4_need(`K')m4_need(`KBUF')m4_need(`LARGEST')
m4_define(`BETTER', m4_ifelse(LARGEST, 1, `>', `<'))
m4_divert(0)m4_dnl
static void KNAME`'(const T *restrict x, T *restrict vals, int64_t *restrict idx)
{
    long o, i, d, j, n;
    long best[KBUF];
    for (o = 0; o < OUTER; o++)
        for (i = 0; i < INNER; i++) {
            const T *xr = x + o * (long)(DIM * INNER) + i;
            n = 0;
            for (d = 0; d < DIM && K > 0; d++) {
                T v = xr[d * INNER];
                /* strictly better than the entries it moves past: stable */
                for (j = n; j > 0 && v BETTER xr[best[j - 1] * INNER]; j--)
                    if (j < K) best[j] = best[j - 1];
                if (j < K) {
                    best[j] = d;
                    if (n < K) n++;
                }
            }
            for (j = 0; j < K; j++) {
                long at = o * (long)(K * INNER) + j * INNER + i;
m4_ifelse(HAS_VALUES, 1, `                vals[at] = xr[best[j] * INNER];
')m4_dnl
m4_ifelse(HAS_INDICES, 1, `                idx[at] = best[j];
')m4_dnl
            }
        }
m4_ifelse(HAS_VALUES, 1, `', `    (void)vals;
')m4_dnl
m4_ifelse(HAS_INDICES, 1, `', `    (void)idx;
')m4_dnl
}
