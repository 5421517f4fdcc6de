m4_divert(-1)
# ew_chain.m4 - a chain of element-wise float operators in one loop
# (passes/fuse_elementwise.c): every value is read and written once instead
# of once per operator. Each step is its own statement, so it is rounded to
# float exactly as the separate kernels rounded it (no contraction into FMAs
# across steps): the chain computes the same bits as the unfused graph.
# Parameters:
#   N        elements of the output
#   B        block: the loop runs over N / B blocks of B elements, and within
#            a block every operand is contiguous or one value (so the inner
#            loop vectorizes; a modulo per element would not)
#   NX       run-time operands x0 ... x(NX-1) (NX >= 1)
#   LEN<k>, INNER<k>  operand k's element for output i is
#            x<k>[(i / INNER<k>) % LEN<k>]: [N] is LEN N, INNER 1; a scalar
#            LEN 1; a [C, 1, 1] vector over NCHW has LEN C, INNER H*W
#   STEPS    the chain as STEP_U(Op, a, alpha, beta) (unary_ops.m4's UNARY_Op
#            with its attributes) and STEP_B(Op, a, b) calls, whose operands
#            are X(k) (operand k), T (the value so far) or K(literal)
m4_need(`N')m4_need(`B')m4_need(`NX')m4_need(`STEPS')
m4_define(`FN', `$1`'f')
m4_include(`unary_ops.m4')
m4_define(`X', `x$1[m4_ifelse(m4_indir(`LEN$1'), N, `o * B + j', m4_indir(`LEN$1'), 1, `0',
  m4_indir(`INNER$1'), 1, `(o * B) % m4_indir(`LEN$1') + j',
  `(o * B / m4_indir(`INNER$1')) % m4_indir(`LEN$1')')]')
m4_define(`T', `t')
m4_define(`K', `$1')
# The float forms of binary.m4's expressions.
m4_define(`EW_Add', `($1 + $2)')
m4_define(`EW_Sub', `($1 - $2)')
m4_define(`EW_Mul', `($1 * $2)')
m4_define(`EW_Div', `($1 / $2)')
m4_define(`EW_Pow', `powf($1, $2)')
m4_define(`EW_Max', `($1 < $2 ? $2 : $1)')
m4_define(`EW_Min', `($2 < $1 ? $2 : $1)')
m4_define(`EW_PRelu', `($1 < 0 ? $1 * $2 : $1)')
m4_define(`STEP_U', `m4_pushdef(`ALPHA', `$3')m4_pushdef(`BETA', `$4')
            t = UNARY_$1($2);m4_popdef(`ALPHA')m4_popdef(`BETA')')
m4_define(`STEP_B', `
            t = EW_$1($2, $3);')
m4_divert(0)m4_dnl
static void KNAME`'(FOR(`J', 0, m4_eval(NX - 1), `const float *restrict x`'J, ')float *restrict y)
{
    long o, j;
    for (o = 0; o < N / B; o++)
        for (j = 0; j < B; j++) {
            float t;STEPS
            y[o * B + j] = t;
        }
}
