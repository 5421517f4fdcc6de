m4_divert(-1)
# unary.m4 - y = f(x) element-wise over N values.
# Parameters: KNAME, OP (ONNX op name), TX, TY (C types: float to float for
# the math ops; IsNaN/IsInf give bool as uint8_t; Not is bool to bool;
# signed integers for Abs, Neg, Sign, Relu),
# N, ALPHA, BETA (the op's attributes).
m4_need(`OP')m4_need(`N')m4_need(`TX')m4_need(`TY')
# UNARY_<Op>(x): the C expression of each operator.
m4_define(`UNARY_Abs', `fabsf($1)')
m4_define(`UNARY_Acos', `acosf($1)')
m4_define(`UNARY_Acosh', `acoshf($1)')
m4_define(`UNARY_Asin', `asinf($1)')
m4_define(`UNARY_Asinh', `asinhf($1)')
m4_define(`UNARY_Atan', `atanf($1)')
m4_define(`UNARY_Atanh', `atanhf($1)')
m4_define(`UNARY_Ceil', `ceilf($1)')
m4_define(`UNARY_Celu', `(fmaxf(0.0f, $1) + fminf(0.0f, ALPHA * (expf($1 / ALPHA) - 1.0f)))')
m4_define(`UNARY_Clip', `($1 < ALPHA ? ALPHA : ($1 > BETA ? BETA : $1))')
m4_define(`UNARY_Cos', `cosf($1)')
m4_define(`UNARY_Cosh', `coshf($1)')
m4_define(`UNARY_Elu', `($1 < 0.0f ? ALPHA * (expf($1) - 1.0f) : $1)')
m4_define(`UNARY_Erf', `erff($1)')
m4_define(`UNARY_Exp', `expf($1)')
m4_define(`UNARY_Floor', `floorf($1)')
m4_define(`UNARY_HardSigmoid', `fmaxf(0.0f, fminf(1.0f, ALPHA * $1 + BETA))')
m4_define(`UNARY_HardSwish', `($1 * fmaxf(0.0f, fminf(1.0f, $1 * (1.0f / 6.0f) + 0.5f)))')
# ALPHA/BETA: detect_negative/detect_positive.
m4_define(`UNARY_IsInf', `(isinf($1) && (m4_ifelse(ALPHA, `0x0p+0f', `0', `$1 < 0.0f') || m4_ifelse(BETA, `0x0p+0f', `0', `$1 > 0.0f')))')
m4_define(`UNARY_IsNaN', `isnan($1)')
m4_define(`UNARY_LeakyRelu', `($1 < 0.0f ? ALPHA * $1 : $1)')
m4_define(`UNARY_Log', `logf($1)')
m4_define(`UNARY_Neg', `(-$1)')
m4_define(`UNARY_Not', `(!$1)')
m4_define(`UNARY_Reciprocal', `(1.0f / $1)')
m4_define(`UNARY_Relu', `($1 < 0.0f ? 0.0f : $1)')
# nearbyintf rounds in the current mode, round-half-to-even by default.
m4_define(`UNARY_Round', `nearbyintf($1)')
m4_define(`UNARY_Selu', `($1 > 0.0f ? BETA * $1 : BETA * ALPHA * (expf($1) - 1.0f))')
# ALPHA/BETA: bias/lambd.
m4_define(`UNARY_Shrink', `($1 < -BETA ? $1 + ALPHA : ($1 > BETA ? $1 - ALPHA : 0.0f))')
m4_define(`UNARY_Sigmoid', `(1.0f / (1.0f + expf(-$1)))')
m4_define(`UNARY_Sign', `(float)(($1 > 0.0f) - ($1 < 0.0f))')
m4_define(`UNARY_Sin', `sinf($1)')
m4_define(`UNARY_Sinh', `sinhf($1)')
m4_define(`UNARY_Softplus', `log1pf(expf($1))')
m4_define(`UNARY_Softsign', `($1 / (1.0f + fabsf($1)))')
m4_define(`UNARY_Sqrt', `sqrtf($1)')
m4_define(`UNARY_Tan', `tanf($1)')
m4_define(`UNARY_Tanh', `tanhf($1)')
m4_define(`UNARY_ThresholdedRelu', `($1 > ALPHA ? $1 : 0.0f)')
# Integer inputs (Abs, Neg, Sign, Relu only): exact integer expressions.
m4_ifelse(TX, `float', `', TX, `uint8_t', `', `
m4_define(`UNARY_Abs', `($1 < 0 ? -$1 : $1)')
m4_define(`UNARY_Relu', `($1 < 0 ? 0 : $1)')
m4_define(`UNARY_Sign', `(($1 > 0) - ($1 < 0))')')
m4_ifdef(`UNARY_'OP, `', `m4_errprint(`unary.m4: no expression for 'OP`
')m4_m4exit(1)')
m4_define(`F', `UNARY_'OP`($1)')
m4_divert(0)m4_dnl
static void KNAME`'(const TX *restrict x, TY *restrict y)
{
    long i;
    for (i = 0; i < N; i++) {
        TX v = x[i];
        y[i] = (TY)F(v);
    }
}
