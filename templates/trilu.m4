m4_divert(-1)
# trilu.m4 - keeps the upper (UPPER=1: j - i >= k) or lower (j - i <= k)
# triangle of each R x C matrix of BATCH, zeroing the rest; k arrives at
# run time. Parameters: T BATCH R C UPPER
m4_need(`T')m4_need(`R')m4_need(`C')
m4_divert(0)m4_dnl
static void KNAME`'(const T *restrict x, long k, T *restrict y)
{
    long b, i, j;
    for (b = 0; b < BATCH; b++)
        for (i = 0; i < R; i++)
            for (j = 0; j < C; j++) {
                long o = (b * R + i) * (long)C + j;
                y[o] = m4_ifelse(UPPER, 1, `j - i >= k', `j - i <= k') ? x[o] : (T)0;
            }
}
