m4_divert(-1)
# scale.m4 - y /= DIVISOR in place (the last step of Mean).
# Parameters: KNAME, T (a floating C type), N, DIVISOR.
m4_need(`T')m4_need(`N')m4_need(`DIVISOR')
m4_divert(0)m4_dnl
static void KNAME`'(T *y)
{
    long i;
    for (i = 0; i < N; i++) y[i] = y[i] / (T)DIVISOR;
}
