m4_divert(-1)
# vmath.m4 - vector exp, sigmoid and tanh for kernels that m4_include it:
# KNAME_exp16/_sig16/_tanh16 on __m512 (AVX-512 builds) or KNAME_exp8/
# _sig8/_tanh8 on __m256 (AVX2 builds). Accuracy: exp within ~2 ulp for
# |x| < 87 (inputs are clamped to [-87.3, 88.3]); the scalar paths of the
# including kernels use expf/tanhf and are the reference. The sigmoid and
# tanh functions are emitted only when VMATH_SIG / VMATH_TANH (or both:
# VMATH_SIGTANH) are defined (unused
# static functions would draw warnings).
m4_ifdef(`VMATH_SIGTANH', `m4_define(`VMATH_SIG', 1)m4_define(`VMATH_TANH', 1)')
m4_divert(0)m4_dnl
#if MLEGEN_AVX512 && SIMD_OK
/* exp(x), 0 below -87.3, NaN kept: Cody-Waite reduction by ln 2, degree-6 polynomial
   (Cephes expf's), 2^n by scalef; relative error ~1e-7. */
static __m512 KNAME`'_exp16(__m512 x)
{
    /* operand order: a NaN x comes through min/max; below -87.3 gives 0 */
    __mmask16 live = _mm512_cmp_ps_mask(x, _mm512_set1_ps(-87.3f), _CMP_NLT_UQ);
    __m512 n, r, p;
    x = _mm512_min_ps(_mm512_set1_ps(88.3f), _mm512_max_ps(_mm512_set1_ps(-87.3f), x));
    n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504f)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
    p = _mm512_fmadd_ps(_mm512_set1_ps(1.9875691500e-4f), r, _mm512_set1_ps(1.3981999507e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
    p = _mm512_fmadd_ps(p, _mm512_mul_ps(r, r), _mm512_add_ps(r, _mm512_set1_ps(1.0f)));
    return _mm512_maskz_scalef_ps(live, p, n);
}

m4_ifdef(`VMATH_SIG', `static __m512 KNAME`'_sig16(__m512 v)
{
    const __m512 one = _mm512_set1_ps(1.0f);
    return _mm512_div_ps(one, _mm512_add_ps(one, KNAME`'_exp16(_mm512_sub_ps(_mm512_setzero_ps(), v))));
}

')m4_dnl
m4_ifdef(`VMATH_TANH', `/* tanh(v) = 1 - 2 / (exp(2v) + 1): saturates cleanly at both ends. */
static __m512 KNAME`'_tanh16(__m512 v)
{
    const __m512 one = _mm512_set1_ps(1.0f);
    __m512 e = KNAME`'_exp16(_mm512_add_ps(v, v));
    return _mm512_sub_ps(one, _mm512_div_ps(_mm512_set1_ps(2.0f), _mm512_add_ps(e, one)));
}
')m4_dnl
#elif MLEGEN_AVX2 && SIMD_OK
/* exp(x) for |x| < 88, as the AVX-512 version; 2^n built in the exponent bits. */
static __m256 KNAME`'_exp8(__m256 x)
{
    __m256 live = _mm256_cmp_ps(x, _mm256_set1_ps(-87.3f), _CMP_NLT_UQ);
    __m256 n, r, p;
    x = _mm256_min_ps(_mm256_set1_ps(88.3f), _mm256_max_ps(_mm256_set1_ps(-87.3f), x));
    n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504f)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
    p = _mm256_fmadd_ps(_mm256_set1_ps(1.9875691500e-4f), r, _mm256_set1_ps(1.3981999507e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
    p = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
    p = _mm256_mul_ps(p, _mm256_castsi256_ps(_mm256_slli_epi32(
                             _mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23)));
    return _mm256_and_ps(p, live);
}

m4_ifdef(`VMATH_SIG', `static __m256 KNAME`'_sig8(__m256 v)
{
    const __m256 one = _mm256_set1_ps(1.0f);
    return _mm256_div_ps(one, _mm256_add_ps(one, KNAME`'_exp8(_mm256_sub_ps(_mm256_setzero_ps(), v))));
}

')m4_dnl
m4_ifdef(`VMATH_TANH', `static __m256 KNAME`'_tanh8(__m256 v)
{
    const __m256 one = _mm256_set1_ps(1.0f);
    __m256 e = KNAME`'_exp8(_mm256_add_ps(v, v));
    return _mm256_sub_ps(one, _mm256_div_ps(_mm256_set1_ps(2.0f), _mm256_add_ps(e, one)));
}
')m4_dnl
#endif

