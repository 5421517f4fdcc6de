m4_divert(-1)
# binary.m4 - y = a OP b with numpy broadcasting.
# Parameters: KNAME, OP, TA, TB, TY (C types), N (output elements), RANK,
# DIMS, SA, SB (collapsed output dims and the operands' element strides,
# 0 where broadcast). Not restrict: Sum/Max/Min accumulate in place.
m4_need(`OP')m4_need(`RANK')
m4_define(`BIN_Add', `($1 + $2)')
m4_define(`BIN_Sub', `($1 - $2)')
m4_define(`BIN_Mul', `($1 * $2)')
m4_define(`BIN_Div', `($1 / $2)')
m4_define(`BIN_Pow', `m4_ifelse(TY, `float', `powf($1, (float)$2)', `(TY)pow((double)$1, (double)$2)')')
m4_define(`BIN_Max', `($1 < $2 ? $2 : $1)')
m4_define(`BIN_Min', `($2 < $1 ? $2 : $1)')
m4_define(`BIN_Equal', `($1 == $2)')
m4_define(`BIN_Less', `($1 < $2)')
m4_define(`BIN_Greater', `($1 > $2)')
m4_ifdef(`BIN_'OP, `', `m4_errprint(`binary.m4: no expression for 'OP`
')m4_m4exit(1)')
m4_define(`EXPR', `BIN_'OP`($1, $2)')
m4_divert(0)m4_dnl
m4_ifelse(RANK, 1, `static void KNAME`'(const TA *a, const TB *b, TY *y)
{
    /* rank 1 after collapsing: one loop with constant strides */
    long i;
    for (i = 0; i < N; i++)
        y[i] = (TY)EXPR(`a[i * SA_LAST]', `b[i * SB_LAST]');
}',
`static void KNAME`'(const TA *a, const TB *b, TY *y)
{
    static const long dims[RANK] = DIMS;
    static const long sa[RANK] = SA;
    static const long sb[RANK] = SB;
    long idx[RANK] = {0};
    long ia = 0, ib = 0, i, j, d;
    for (i = 0; i < N; i += INNER) {
        for (j = 0; j < INNER; j++)
            y[i + j] = (TY)EXPR(`a[ia + j * SA_LAST]', `b[ib + j * SB_LAST]');
        /* odometer over the outer dimensions */
        for (d = RANK - 2; d >= 0; d--) {
            ia += sa[d];
            ib += sb[d];
            if (++idx[d] < dims[d]) break;
            ia -= sa[d] * dims[d];
            ib -= sb[d] * dims[d];
            idx[d] = 0;
        }
    }
}')
