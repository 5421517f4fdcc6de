m4_divert(-1)
# unary.m4 - y = f(x) element-wise over N values.
# Parameters: KNAME, OP (ONNX op name), TX, TY (C types: float or double to
# the same for the math ops, float16 bits with HALF=1; IsNaN/IsInf give bool as uint8_t; Not is bool to bool;
# signed integers for Abs, Neg, Sign, Relu),
# N, ALPHA, BETA (the op's attributes).
m4_need(`OP')m4_need(`N')m4_need(`TX')m4_need(`TY')
m4_ifdef(`HALF', `', `m4_define(`HALF', 0)')
m4_include(`half.m4')
# CT: the type computed in (float for float16 bits); FN(name): the C math
# function of that type (expf for float, exp for double).
m4_define(`CT', m4_ifelse(HALF, 1, `float', `TX'))
m4_define(`FN', m4_ifelse(CT, `double', `$1', `$1`'f'))
m4_define(`LOAD', m4_ifelse(HALF, 1, `KNAME`'_h2f($1)', `$1'))
m4_define(`STORE', m4_ifelse(HALF, 1, m4_ifelse(TY, `uint8_t', `(TY)($1)', `KNAME`'_f2h($1)'), `(TY)$1'))
m4_include(`unary_ops.m4')
# Integer inputs (Abs, Neg, Sign, Relu only): exact integer expressions.
m4_ifelse(CT, `float', `', CT, `double', `', TX, `uint8_t', `', `
m4_define(`UNARY_Abs', `($1 < 0 ? -$1 : $1)')
m4_define(`UNARY_Relu', `($1 < 0 ? 0 : $1)')
m4_define(`UNARY_Sign', `(($1 > 0) - ($1 < 0))')')
m4_ifdef(`UNARY_'OP, `', `m4_errprint(`unary.m4: no expression for 'OP`
')m4_m4exit(1)')
m4_define(`F', `UNARY_'OP`($1)')
m4_divert(0)m4_dnl
m4_ifelse(HALF, 1, `HALF_FUNCS()')m4_dnl
static void KNAME`'(const TX *restrict x, TY *restrict y)
{
    long i;
    for (i = 0; i < N; i++) {
        CT v = LOAD(`x[i]');
        y[i] = STORE(F(v));
    }
}
