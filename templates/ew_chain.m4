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
# ---- vector path: when every step has a vector form V_<Op>(a) (below),
# the loop runs 16 (AVX-512) or 8 (AVX2) elements at a time, masked at the
# end of each block. Comparisons and selects keep the scalar forms' NaN and
# signed-zero behaviour for the exact steps; Exp, Sigmoid, Tanh, Elu and Erf
# use vmath.m4's exp (about 2 ulp) instead of libm, so those chains differ
# from the scalar build in the last bits. VEC_OK is 1 when all steps have
# one; NEED_EXP/NEED_ERF say which helpers to emit (unused static functions
# would draw warnings).
m4_define(`V_Relu', `VSEL(VLT($1, VZERO), VZERO, $1)')
m4_define(`V_LeakyRelu', `VSEL(VLT($1, VZERO), VMUL(VSET(ALPHA), $1), $1)')
m4_define(`V_Clip', `VSEL(VLT($1, VSET(ALPHA)), VSET(ALPHA), VSEL(VLT(VSET(BETA), $1), VSET(BETA), $1))')
m4_define(`V_Abs', `VABS($1)')
m4_define(`V_Neg', `VNEG($1)')
m4_define(`V_Sqrt', `VSQRT($1)')
m4_define(`V_Reciprocal', `VDIV(VSET(1.0f), $1)')
m4_define(`V_HardSigmoid', `VMAX(VZERO, VMIN(VSET(1.0f), VADD(VMUL(VSET(ALPHA), $1), VSET(BETA))))')
m4_define(`V_HardSwish', `VMUL($1, VMAX(VZERO, VMIN(VSET(1.0f), VADD(VMUL($1, VSET(0x1.555556p-3f)), VSET(0.5f)))))')
m4_define(`V_Exp', `VSEL(VLT(VSET(88.7228f), $1), VSET(HUGE_VALF), VEXP($1))') # vmath clamps at 88.3
m4_define(`V_Sigmoid', `VSIG($1)')
m4_define(`V_Tanh', `VTANH($1)')
m4_define(`V_Elu', `VSEL(VLT($1, VZERO), VMUL(VSET(ALPHA), VSUB(VEXP($1), VSET(1.0f))), $1)')
m4_define(`V_Erf', `VERF($1)')
m4_define(`V_Add', `VADD($1, $2)')
m4_define(`V_Sub', `VSUB($1, $2)')
m4_define(`V_Mul', `VMUL($1, $2)')
m4_define(`V_Div', `VDIV($1, $2)')
m4_define(`V_Max', `VSEL(VLT($1, $2), $2, $1)')
m4_define(`V_Min', `VSEL(VLT($2, $1), $2, $1)')
m4_define(`V_PRelu', `VSEL(VLT($1, VZERO), VMUL($1, $2), $1)')
# Scan STEPS (output diverted away) for VEC_OK, NEED_EXP, NEED_ERF.
m4_define(`VEC_OK', 1)m4_define(`NEED_EXP', 0)m4_define(`NEED_ERF', 0)
m4_define(`SCAN', `m4_ifdef(`V_$1', `', `m4_define(`VEC_OK', 0)')m4_dnl
m4_ifelse($1, `Exp', `m4_define(`NEED_EXP', 1)', $1, `Elu', `m4_define(`NEED_EXP', 1)',
  $1, `Sigmoid', `m4_define(`NEED_EXP', 1)m4_define(`VMATH_SIG', 1)',
  $1, `Tanh', `m4_define(`NEED_EXP', 1)m4_define(`VMATH_TANH', 1)',
  $1, `Erf', `m4_define(`NEED_EXP', 1)m4_define(`NEED_ERF', 1)')')
m4_pushdef(`STEP_U', `SCAN($1)')m4_pushdef(`STEP_B', `SCAN($1)')
STEPS
m4_popdef(`STEP_U')m4_popdef(`STEP_B')
# The vector statements: operands as vectors of the current ISA.
m4_define(`VX', `m4_ifelse(m4_indir(`LEN$1'), 1, `VSET(x$1[0])',
  m4_indir(`INNER$1'), 1, `VLOAD(x$1 + m4_ifelse(m4_indir(`LEN$1'), N, `o * B + j', `(o * B) % m4_indir(`LEN$1') + j'))',
  `VSET(x$1[(o * B / m4_indir(`INNER$1')) % m4_indir(`LEN$1')])')')
# (Defined at the top level and swapped in with m4_defn: a $1 written
# inside VSTEPS's own body would be VSTEPS's argument.)
m4_define(`VK', `VSET($1)')
m4_define(`VSTEP_U', `m4_pushdef(`ALPHA', `$3')m4_pushdef(`BETA', `$4')
            t = V_$1($2);m4_popdef(`ALPHA')m4_popdef(`BETA')')
m4_define(`VSTEP_B', `
            t = V_$1($2, $3);')
m4_define(`VSTEPS', `m4_pushdef(`X', m4_defn(`VX'))m4_pushdef(`K', m4_defn(`VK'))m4_dnl
m4_pushdef(`STEP_U', m4_defn(`VSTEP_U'))m4_pushdef(`STEP_B', m4_defn(`VSTEP_B'))m4_dnl
STEPS`'m4_popdef(`X', `K', `STEP_U', `STEP_B')')
m4_divert(0)m4_dnl
m4_ifelse(VEC_OK, 1, `m4_ifelse(NEED_EXP, 1, `m4_include(`vmath.m4')')m4_dnl
m4_ifelse(NEED_ERF, 1, `#if MLEGEN_AVX512 && SIMD_OK
/* erf(x): odd Taylor series to x^13 below |x| = 0.5 (error < 1e-9), above
   Abramowitz-Stegun 7.1.26, 1 - t P(t) exp(-x^2) with t = 1 / (1 + 0.3275911 |x|)
   (absolute error < 1.5e-7), sign restored; NaN kept. */
static __m512 KNAME`'_erf16(__m512 x)
{
    __m512 a = _mm512_abs_ps(x), z = _mm512_mul_ps(x, x), s, t, p, big;
    s = _mm512_fmadd_ps(z, _mm512_set1_ps(1.0f / 9360), _mm512_set1_ps(-1.0f / 1320));
    s = _mm512_fmadd_ps(s, z, _mm512_set1_ps(1.0f / 216));
    s = _mm512_fmadd_ps(s, z, _mm512_set1_ps(-1.0f / 42));
    s = _mm512_fmadd_ps(s, z, _mm512_set1_ps(1.0f / 10));
    s = _mm512_fmadd_ps(s, z, _mm512_set1_ps(-1.0f / 3));
    s = _mm512_fmadd_ps(s, z, _mm512_set1_ps(1.0f));
    s = _mm512_mul_ps(_mm512_mul_ps(s, x), _mm512_set1_ps(1.1283791671f));
    t = _mm512_div_ps(_mm512_set1_ps(1.0f), _mm512_fmadd_ps(a, _mm512_set1_ps(0.3275911f), _mm512_set1_ps(1.0f)));
    p = _mm512_fmadd_ps(t, _mm512_set1_ps(1.061405429f), _mm512_set1_ps(-1.453152027f));
    p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(1.421413741f));
    p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(-0.284496736f));
    p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(0.254829592f));
    p = _mm512_mul_ps(p, t);
    big = _mm512_fnmadd_ps(p, KNAME`'_exp16(_mm512_sub_ps(_mm512_setzero_ps(), z)), _mm512_set1_ps(1.0f));
    /* copy the sign of x onto the large-|x| branch */
    big = _mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(big),
        _mm512_and_si512(_mm512_castps_si512(x), _mm512_set1_epi32((int)0x80000000u))));
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(a, _mm512_set1_ps(0.5f), _CMP_LT_OQ), big, s);
}
#elif MLEGEN_AVX2 && SIMD_OK
static __m256 KNAME`'_erf8(__m256 x)
{
    const __m256 sign = _mm256_set1_ps(-0.0f);
    __m256 a = _mm256_andnot_ps(sign, x), z = _mm256_mul_ps(x, x), s, t, p, big;
    s = _mm256_fmadd_ps(z, _mm256_set1_ps(1.0f / 9360), _mm256_set1_ps(-1.0f / 1320));
    s = _mm256_fmadd_ps(s, z, _mm256_set1_ps(1.0f / 216));
    s = _mm256_fmadd_ps(s, z, _mm256_set1_ps(-1.0f / 42));
    s = _mm256_fmadd_ps(s, z, _mm256_set1_ps(1.0f / 10));
    s = _mm256_fmadd_ps(s, z, _mm256_set1_ps(-1.0f / 3));
    s = _mm256_fmadd_ps(s, z, _mm256_set1_ps(1.0f));
    s = _mm256_mul_ps(_mm256_mul_ps(s, x), _mm256_set1_ps(1.1283791671f));
    t = _mm256_div_ps(_mm256_set1_ps(1.0f), _mm256_fmadd_ps(a, _mm256_set1_ps(0.3275911f), _mm256_set1_ps(1.0f)));
    p = _mm256_fmadd_ps(t, _mm256_set1_ps(1.061405429f), _mm256_set1_ps(-1.453152027f));
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(1.421413741f));
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(-0.284496736f));
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(0.254829592f));
    p = _mm256_mul_ps(p, t);
    big = _mm256_fnmadd_ps(p, KNAME`'_exp8(_mm256_sub_ps(_mm256_setzero_ps(), z)), _mm256_set1_ps(1.0f));
    big = _mm256_or_ps(big, _mm256_and_ps(x, sign));
    return _mm256_blendv_ps(big, s, _mm256_cmp_ps(a, _mm256_set1_ps(0.5f), _CMP_LT_OQ));
}
#endif

')')m4_dnl
static void KNAME`'(FOR(`J', 0, m4_eval(NX - 1), `const float *restrict x`'J, ')float *restrict y)
{
    long o, j;
m4_ifelse(VEC_OK, 1, `#if MLEGEN_AVX512 && SIMD_OK
m4_pushdef(`VZERO', `_mm512_setzero_ps()')m4_pushdef(`VSET', `_mm512_set1_ps($1)')m4_dnl
m4_pushdef(`VLOAD', `_mm512_maskz_loadu_ps(m, $1)')m4_pushdef(`VADD', `_mm512_add_ps($1, $2)')m4_dnl
m4_pushdef(`VSUB', `_mm512_sub_ps($1, $2)')m4_pushdef(`VMUL', `_mm512_mul_ps($1, $2)')m4_dnl
m4_pushdef(`VDIV', `_mm512_div_ps($1, $2)')m4_pushdef(`VMAX', `_mm512_max_ps($1, $2)')m4_dnl
m4_pushdef(`VMIN', `_mm512_min_ps($1, $2)')m4_pushdef(`VSQRT', `_mm512_sqrt_ps($1)')m4_dnl
m4_pushdef(`VABS', `_mm512_abs_ps($1)')m4_dnl
m4_pushdef(`VNEG', `_mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512($1), _mm512_set1_epi32((int)0x80000000u)))')m4_dnl
m4_pushdef(`VLT', `_mm512_cmp_ps_mask($1, $2, _CMP_LT_OQ)')m4_pushdef(`VSEL', `_mm512_mask_blend_ps($1, $3, $2)')m4_dnl
m4_pushdef(`VEXP', `KNAME`'_exp16($1)')m4_pushdef(`VSIG', `KNAME`'_sig16($1)')m4_dnl
m4_pushdef(`VTANH', `KNAME`'_tanh16($1)')m4_pushdef(`VERF', `KNAME`'_erf16($1)')m4_dnl
    for (o = 0; o < N / B; o++)
        for (j = 0; j < B; j += 16) {
            const __mmask16 m = (__mmask16)(B - j >= 16 ? 0xffff : (1u << (B - j)) - 1);
            __m512 t;VSTEPS
            _mm512_mask_storeu_ps(y + o * B + j, m, t);
        }
m4_popdef(`VZERO', `VSET', `VLOAD', `VADD', `VSUB', `VMUL', `VDIV', `VMAX', `VMIN', `VSQRT', `VABS', `VNEG', `VLT', `VSEL', `VEXP', `VSIG', `VTANH', `VERF')m4_dnl
#elif MLEGEN_AVX2 && SIMD_OK
m4_pushdef(`VZERO', `_mm256_setzero_ps()')m4_pushdef(`VSET', `_mm256_set1_ps($1)')m4_dnl
m4_pushdef(`VLOAD', `_mm256_maskload_ps($1, m)')m4_pushdef(`VADD', `_mm256_add_ps($1, $2)')m4_dnl
m4_pushdef(`VSUB', `_mm256_sub_ps($1, $2)')m4_pushdef(`VMUL', `_mm256_mul_ps($1, $2)')m4_dnl
m4_pushdef(`VDIV', `_mm256_div_ps($1, $2)')m4_pushdef(`VMAX', `_mm256_max_ps($1, $2)')m4_dnl
m4_pushdef(`VMIN', `_mm256_min_ps($1, $2)')m4_pushdef(`VSQRT', `_mm256_sqrt_ps($1)')m4_dnl
m4_pushdef(`VABS', `_mm256_andnot_ps(_mm256_set1_ps(-0.0f), $1)')m4_dnl
m4_pushdef(`VNEG', `_mm256_xor_ps($1, _mm256_set1_ps(-0.0f))')m4_dnl
m4_pushdef(`VLT', `_mm256_cmp_ps($1, $2, _CMP_LT_OQ)')m4_pushdef(`VSEL', `_mm256_blendv_ps($3, $2, $1)')m4_dnl
m4_pushdef(`VEXP', `KNAME`'_exp8($1)')m4_pushdef(`VSIG', `KNAME`'_sig8($1)')m4_dnl
m4_pushdef(`VTANH', `KNAME`'_tanh8($1)')m4_pushdef(`VERF', `KNAME`'_erf8($1)')m4_dnl
    const __m256i iota = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    for (o = 0; o < N / B; o++)
        for (j = 0; j < B; j += 8) {
            const __m256i m = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(B - j)), iota);
            __m256 t;VSTEPS
            _mm256_maskstore_ps(y + o * B + j, m, t);
        }
m4_popdef(`VZERO', `VSET', `VLOAD', `VADD', `VSUB', `VMUL', `VDIV', `VMAX', `VMIN', `VSQRT', `VABS', `VNEG', `VLT', `VSEL', `VEXP', `VSIG', `VTANH', `VERF')m4_dnl
#else
')m4_dnl
    for (o = 0; o < N / B; o++)
        for (j = 0; j < B; j++) {
            float t;STEPS
            y[o * B + j] = t;
        }
m4_ifelse(VEC_OK, 1, `#endif
')m4_dnl
}
