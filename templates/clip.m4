m4_divert(-1)
# clip.m4 - y = min(max(x, lo), hi) with bounds read at run time (Clip
# since opset 11, any arithmetic type). Parameters: KNAME, T, N, HAS_LO,
# HAS_HI (0: that bound is absent and its pointer is not read).
m4_need(`T')m4_need(`N')
m4_divert(0)m4_dnl
static void KNAME`'(const T *restrict x, const T *lo_p, const T *hi_p, T *restrict y)
{
    long i;
m4_ifelse(HAS_LO, 1, `    const T lo = lo_p[0];
', `    (void)lo_p;
')m4_dnl
m4_ifelse(HAS_HI, 1, `    const T hi = hi_p[0];
', `    (void)hi_p;
')m4_dnl
    for (i = 0; i < N; i++) {
        T v = x[i];
m4_ifelse(HAS_LO, 1, `        if (v < lo) v = lo;
')m4_dnl
m4_ifelse(HAS_HI, 1, `        if (v > hi) v = hi;
')m4_dnl
        y[i] = v;
    }
}
