m4_divert(-1)
# global_pool.m4 - GlobalAveragePool / GlobalMaxPool: one value per row of
# INNER elements. Parameters: KIND (avg, max) ROWS INNER
#
# The average keeps 16 partial sums (lane j sums elements j, j + 16, ...),
# so the additions are independent and the compiler vectorizes them
# (a single running sum is a chain of dependent, unvectorizable adds).
m4_need(`KIND')m4_need(`INNER')
m4_divert(0)m4_dnl
static void KNAME`'(const float *restrict x, float *restrict y)
{
    long r, i;
    for (r = 0; r < ROWS; r++) {
        const float *xr = x + r * (long)INNER;
m4_ifelse(KIND, `max', `        float m = -HUGE_VALF;
        for (i = 0; i < INNER; i++)
            if (xr[i] > m || xr[i] != xr[i]) m = xr[i];
        y[r] = m;', `        float p[16] = {0.0f}, s = 0.0f;
        long j;
        for (i = 0; i + 16 <= INNER; i += 16)
            for (j = 0; j < 16; j++) p[j] += xr[i + j];
        for (j = 0; i + j < INNER; j++) p[j] += xr[i + j];
        for (j = 0; j < 16; j++) s += p[j];
        y[r] = s * (1.0f / (float)INNER);')
    }
}
