m4_divert(-1)
# unary.m4 - y = f(x) element-wise over N floats.
# Parameters: KNAME, OP (ONNX op name), N, ALPHA, BETA.
m4_need(`OP')m4_need(`N')
# UNARY_<Op>(x): the C expression of each operator.
m4_define(`UNARY_Abs', `fabsf($1)')
m4_define(`UNARY_Ceil', `ceilf($1)')
m4_define(`UNARY_Clip', `($1 < ALPHA ? ALPHA : ($1 > BETA ? BETA : $1))')
m4_define(`UNARY_Elu', `($1 < 0.0f ? ALPHA * (expf($1) - 1.0f) : $1)')
m4_define(`UNARY_Erf', `erff($1)')
m4_define(`UNARY_Exp', `expf($1)')
m4_define(`UNARY_Floor', `floorf($1)')
m4_define(`UNARY_HardSigmoid', `fmaxf(0.0f, fminf(1.0f, ALPHA * $1 + BETA))')
m4_define(`UNARY_HardSwish', `($1 * fmaxf(0.0f, fminf(1.0f, $1 * (1.0f / 6.0f) + 0.5f)))')
m4_define(`UNARY_LeakyRelu', `($1 < 0.0f ? ALPHA * $1 : $1)')
m4_define(`UNARY_Log', `logf($1)')
m4_define(`UNARY_Neg', `(-$1)')
m4_define(`UNARY_Reciprocal', `(1.0f / $1)')
m4_define(`UNARY_Relu', `($1 < 0.0f ? 0.0f : $1)')
m4_define(`UNARY_Selu', `($1 > 0.0f ? BETA * $1 : BETA * ALPHA * (expf($1) - 1.0f))')
m4_define(`UNARY_Sigmoid', `(1.0f / (1.0f + expf(-$1)))')
m4_define(`UNARY_Sign', `(float)(($1 > 0.0f) - ($1 < 0.0f))')
m4_define(`UNARY_Softplus', `log1pf(expf($1))')
m4_define(`UNARY_Softsign', `($1 / (1.0f + fabsf($1)))')
m4_define(`UNARY_Sqrt', `sqrtf($1)')
m4_define(`UNARY_Tanh', `tanhf($1)')
m4_ifdef(`UNARY_'OP, `', `m4_errprint(`unary.m4: no expression for 'OP`
')m4_m4exit(1)')
m4_define(`F', `UNARY_'OP`($1)')
m4_divert(0)m4_dnl
static void KNAME`'(const float *restrict x, float *restrict y)
{
    long i;
    for (i = 0; i < N; i++) {
        float v = x[i];
        y[i] = F(v);
    }
}
