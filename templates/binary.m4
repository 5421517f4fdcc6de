m4_divert(-1)
# binary.m4 - y = a OP b with numpy broadcasting.
# Parameters: KNAME, OP, TA, TB, TY (C types), N (output elements), RANK,
# DIMS, SA, SB (collapsed output dims and the operands' element strides,
# 0 where broadcast), FMOD (Mod only), HALF (1: the operands are float16
# bits, computed on as float; the result is encoded back unless it is a
# comparison's bool). Not restrict: Sum/Max/Min accumulate in place.
m4_need(`OP')m4_need(`RANK')
m4_ifdef(`HALF', `', `m4_define(`HALF', 0)')
m4_include(`half.m4')
# CTA, CTB, CTY: the types computed on (float for half operands).
m4_define(`CTA', m4_ifelse(HALF, 1, `float', `TA'))
m4_define(`CTB', m4_ifelse(HALF, 1, `float', `TB'))
m4_define(`CTY', m4_ifelse(HALF, 1, m4_ifelse(TY, `uint8_t', `TY', `float'), `TY'))
m4_define(`LOAD', m4_ifelse(HALF, 1, `KNAME`'_h2f($1)', `$1'))
m4_define(`STORE', m4_ifelse(HALF, 1, m4_ifelse(TY, `uint8_t', `(TY)$1', `KNAME`'_f2h($1)'), `(TY)$1'))
m4_define(`IS_FLOAT', `m4_ifelse(CTY, `float', 1, CTY, `double', 1, 0)')
m4_define(`IS_UNSIGNED', `m4_ifelse(m4_regexp(TA, `^uint'), 0, 1, 0)')
m4_define(`BIN_Add', `($1 + $2)')
m4_define(`BIN_Sub', `($1 - $2)')
m4_define(`BIN_Mul', `($1 * $2)')
# Integer division by zero would trap: it gives 0 instead.
m4_define(`BIN_Div', `m4_ifelse(IS_FLOAT, 1, `($1 / $2)', `($2 == 0 ? 0 : $1 / $2)')')
m4_define(`BIN_Pow', `m4_ifelse(CTY, `float', `powf($1, (float)$2)', `(TY)pow((double)$1, (double)$2)')')
m4_define(`BIN_Max', `($1 < $2 ? $2 : $1)')
m4_define(`BIN_Min', `($2 < $1 ? $2 : $1)')
m4_define(`BIN_Mod', `KNAME`'_mod($1, $2)')
m4_define(`BIN_BitShiftLeft', `($1 << $2)')
m4_define(`BIN_BitShiftRight', `($1 >> $2)')
m4_define(`BIN_PRelu', `($1 < 0 ? $1 * $2 : $1)')
m4_define(`BIN_Equal', `($1 == $2)')
m4_define(`BIN_Less', `($1 < $2)')
m4_define(`BIN_Greater', `($1 > $2)')
m4_define(`BIN_LessOrEqual', `($1 <= $2)')
m4_define(`BIN_GreaterOrEqual', `($1 >= $2)')
m4_define(`BIN_And', `($1 && $2)')
m4_define(`BIN_Or', `($1 || $2)')
m4_define(`BIN_Xor', `(!$1 != !$2)')
m4_ifdef(`BIN_'OP, `', `m4_errprint(`binary.m4: no expression for 'OP`
')m4_m4exit(1)')
m4_define(`EXPR', `STORE(BIN_'OP`(LOAD($1), LOAD($2)))')
m4_divert(0)m4_dnl
m4_ifelse(HALF, 1, `HALF_FUNCS()')m4_dnl
m4_ifelse(OP, `Mod', `m4_dnl
/* Mod: fmod=1 keeps the sign of the dividend (C fmod and %), fmod=0 that
   of the divisor (Python). Integer x % 0 gives 0 instead of trapping. */
static CTY KNAME`'_mod(CTA a, CTB b)
{
m4_ifelse(IS_FLOAT, 1, `    CTY r = (CTY)fmod((double)a, (double)b);
m4_ifelse(FMOD, 1, `', `    if (r != 0 && ((r < 0) != (b < 0))) r += b;
')m4_dnl
', IS_UNSIGNED, 1, `    TY r = b == 0 ? 0 : (TY)(a % b);
', `    TY r = (b == 0 || b == -1) ? 0 : (TY)(a % b);
m4_ifelse(FMOD, 1, `', `    if (r != 0 && ((r < 0) != (b < 0))) r = (TY)(r + b);
')m4_dnl
')m4_dnl
    return r;
}

')m4_dnl
m4_ifelse(RANK, 1, `static void KNAME`'(const TA *a, const TB *b, TY *y)
{
    /* rank 1 after collapsing: one loop with constant strides */
    long i;
    for (i = 0; i < N; i++)
        y[i] = EXPR(`a[i * SA_LAST]', `b[i * SB_LAST]');
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
            y[i + j] = EXPR(`a[ia + j * SA_LAST]', `b[ib + j * SB_LAST]');
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
