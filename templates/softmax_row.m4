m4_divert(-1)
# softmax_row.m4 - SOFTMAX_ROW(NAME, LEN) emits
#     static void NAME(const float *restrict xr, float *restrict yr)
# the max-subtracted softmax of one contiguous row of LEN floats. AVX-512 /
# AVX2 paths: vector max, vmath.m4's exp, vector sum, masked tails; the
# scalar loop (expf) is their reference. The including template must
# m4_include vmath.m4 first. Used by softmax.m4 (last axis) and
# attention.m4 (a row of scores).
m4_define(`SOFTMAX_ROW', `
static void $1(const float *restrict xr, float *restrict yr)
{
    long d;
#if MLEGEN_AVX512 && SIMD_OK
    const __mmask16 tail = (__mmask16)((1u << ($2 % 16)) - 1);
    __m512 vm = _mm512_set1_ps(-HUGE_VALF), vs = _mm512_setzero_ps(), m;
    float s;
    for (d = 0; d + 16 <= $2; d += 16) vm = _mm512_max_ps(vm, _mm512_loadu_ps(xr + d));
    if ($2 % 16) vm = _mm512_mask_max_ps(vm, tail, vm, _mm512_maskz_loadu_ps(tail, xr + d));
    m = _mm512_set1_ps(_mm512_reduce_max_ps(vm));
    for (d = 0; d + 16 <= $2; d += 16) {
        __m512 e = KNAME`'_exp16(_mm512_sub_ps(_mm512_loadu_ps(xr + d), m));
        _mm512_storeu_ps(yr + d, e);
        vs = _mm512_add_ps(vs, e);
    }
    if ($2 % 16) {
        __m512 e = KNAME`'_exp16(_mm512_sub_ps(_mm512_maskz_loadu_ps(tail, xr + d), m));
        _mm512_mask_storeu_ps(yr + d, tail, e);
        vs = _mm512_mask_add_ps(vs, tail, vs, e);
    }
    s = _mm512_reduce_add_ps(vs);
    for (d = 0; d < $2; d++) yr[d] /= s;
#elif MLEGEN_AVX2 && SIMD_OK
    const __m256i tail = _mm256_cmpgt_epi32(_mm256_set1_epi32($2 % 8), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    __m256 vm = _mm256_set1_ps(-HUGE_VALF), vs = _mm256_setzero_ps(), m;
    float t[8], mx, s;
    long i;
    for (d = 0; d + 8 <= $2; d += 8) vm = _mm256_max_ps(vm, _mm256_loadu_ps(xr + d));
    _mm256_storeu_ps(t, vm);
    mx = t[0];
    for (i = 1; i < 8; i++) mx = t[i] > mx ? t[i] : mx;
    for (; d < $2; d++) mx = xr[d] > mx ? xr[d] : mx;
    m = _mm256_set1_ps(mx);
    for (d = 0; d + 8 <= $2; d += 8) {
        __m256 e = KNAME`'_exp8(_mm256_sub_ps(_mm256_loadu_ps(xr + d), m));
        _mm256_storeu_ps(yr + d, e);
        vs = _mm256_add_ps(vs, e);
    }
    if ($2 % 8) {
        __m256 e = _mm256_and_ps(KNAME`'_exp8(_mm256_sub_ps(_mm256_maskload_ps(xr + d, tail), m)),
                                 _mm256_castsi256_ps(tail));
        _mm256_maskstore_ps(yr + d, tail, e);
        vs = _mm256_add_ps(vs, e);
    }
    _mm256_storeu_ps(t, vs);
    s = ((t[0] + t[1]) + (t[2] + t[3])) + ((t[4] + t[5]) + (t[6] + t[7]));
    for (d = 0; d < $2; d++) yr[d] /= s;
#else
    float m = -HUGE_VALF, s = 0.0f;
    for (d = 0; d < $2; d++)
        if (xr[d] > m) m = xr[d];
    for (d = 0; d < $2; d++) {
        float e = expf(xr[d] - m);
        yr[d] = e;
        s += e;
    }
    for (d = 0; d < $2; d++) yr[d] /= s;
#endif
}
')
m4_divert(0)m4_dnl
