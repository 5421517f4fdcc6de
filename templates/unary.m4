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
# UNARY_<Op>(x): the C expression of each operator.
m4_define(`UNARY_Abs', `FN(`fabs')($1)')
m4_define(`UNARY_Acos', `FN(`acos')($1)')
m4_define(`UNARY_Acosh', `FN(`acosh')($1)')
m4_define(`UNARY_Asin', `FN(`asin')($1)')
m4_define(`UNARY_Asinh', `FN(`asinh')($1)')
m4_define(`UNARY_Atan', `FN(`atan')($1)')
m4_define(`UNARY_Atanh', `FN(`atanh')($1)')
m4_define(`UNARY_Ceil', `FN(`ceil')($1)')
m4_define(`UNARY_Celu', `(FN(`fmax')(0.0f, $1) + FN(`fmin')(0.0f, ALPHA * (FN(`exp')($1 / ALPHA) - 1.0f)))')
m4_define(`UNARY_Clip', `($1 < ALPHA ? ALPHA : ($1 > BETA ? BETA : $1))')
m4_define(`UNARY_Cos', `FN(`cos')($1)')
m4_define(`UNARY_Cosh', `FN(`cosh')($1)')
m4_define(`UNARY_Elu', `($1 < 0.0f ? ALPHA * (FN(`exp')($1) - 1.0f) : $1)')
m4_define(`UNARY_Erf', `FN(`erf')($1)')
m4_define(`UNARY_Exp', `FN(`exp')($1)')
m4_define(`UNARY_Floor', `FN(`floor')($1)')
m4_define(`UNARY_HardSigmoid', `FN(`fmax')(0.0f, FN(`fmin')(1.0f, ALPHA * $1 + BETA))')
m4_define(`UNARY_HardSwish', `($1 * FN(`fmax')(0.0f, FN(`fmin')(1.0f, $1 * (1.0f / 6.0f) + 0.5f)))')
# ALPHA/BETA: detect_negative/detect_positive.
m4_define(`UNARY_IsInf', `(isinf($1) && (m4_ifelse(ALPHA, `0x0p+0f', `0', `$1 < 0.0f') || m4_ifelse(BETA, `0x0p+0f', `0', `$1 > 0.0f')))')
m4_define(`UNARY_IsNaN', `isnan($1)')
m4_define(`UNARY_LeakyRelu', `($1 < 0.0f ? ALPHA * $1 : $1)')
m4_define(`UNARY_Log', `FN(`log')($1)')
m4_define(`UNARY_Neg', `(-$1)')
m4_define(`UNARY_Not', `(!$1)')
m4_define(`UNARY_Reciprocal', `(1.0f / $1)')
m4_define(`UNARY_Relu', `($1 < 0.0f ? 0.0f : $1)')
# nearbyintf rounds in the current mode, round-half-to-even by default.
m4_define(`UNARY_Round', `FN(`nearbyint')($1)')
m4_define(`UNARY_Selu', `($1 > 0.0f ? BETA * $1 : BETA * ALPHA * (FN(`exp')($1) - 1.0f))')
# ALPHA/BETA: bias/lambd.
m4_define(`UNARY_Shrink', `($1 < -BETA ? $1 + ALPHA : ($1 > BETA ? $1 - ALPHA : 0.0f))')
m4_define(`UNARY_Sigmoid', `(1.0f / (1.0f + FN(`exp')(-$1)))')
m4_define(`UNARY_Sign', `(float)(($1 > 0.0f) - ($1 < 0.0f))')
m4_define(`UNARY_Sin', `FN(`sin')($1)')
m4_define(`UNARY_Sinh', `FN(`sinh')($1)')
m4_define(`UNARY_Softplus', `FN(`log1p')(FN(`exp')($1))')
m4_define(`UNARY_Softsign', `($1 / (1.0f + FN(`fabs')($1)))')
m4_define(`UNARY_Sqrt', `FN(`sqrt')($1)')
m4_define(`UNARY_Tan', `FN(`tan')($1)')
m4_define(`UNARY_Tanh', `FN(`tanh')($1)')
m4_define(`UNARY_ThresholdedRelu', `($1 > ALPHA ? $1 : 0.0f)')
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
