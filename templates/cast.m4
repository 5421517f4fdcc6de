m4_divert(-1)
# cast.m4 - element-wise type conversion. Parameters: TX TY TO_BOOL N
m4_need(`TX')m4_need(`TY')
m4_divert(0)m4_dnl
static void KNAME`'(const TX *restrict x, TY *restrict y)
{
    long i;
    for (i = 0; i < N; i++) y[i] = m4_ifelse(TO_BOOL, 1, `(TY)(x[i] != 0)', `(TY)x[i]');
}
