m4_divert(-1)
# global_pool.m4 - GlobalAveragePool / GlobalMaxPool: one value per row of
# INNER elements. Parameters: KIND (avg, max) ROWS INNER
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
        y[r] = m;', `        float s = 0.0f;
        for (i = 0; i < INNER; i++) s += xr[i];
        y[r] = s * (1.0f / (float)INNER);')
    }
}
