m4_divert(-1)
# gemm_micro.m4 - the register-blocked GEMM micro-kernel shared by
# conv_gemm.m4 and gemm_packed.m4 (m4_include'd; emits nothing by itself).
#
# GEMM_MICRO(SUFFIX, MR) emits KNAME_microSUFFIX, which computes one tile
# of at most MR <= 12 rows by 32 columns (the AVX-512 path is unrolled for
# MR rows, so a panel of a few leftover rows costs only those rows):
#     C[r, j] (+)= sum_k A[r, k] * B[k, j]      r < rows, j < cols
# with A packed in a 12-row panel (element (r, k) at a[k * 12 + r], rows
# past ROWS zero or ignored) and B rows MK_LDB floats apart (the image
# width for a plain matrix). MK_BH (default 16) is how far the right 16
# columns of a B row start from its left 16: a plain matrix has them next
# to each other; gemm_packed.m4 stores each 32-column panel as two
# 16-column halves, K x 16 each (MK_LDB 16, MK_BH K * 16), so that the
# AVX2 path's kc x 16 half is one contiguous block that stays in L1 for
# the second row block (with 128-byte rows it mapped to half the L1 sets
# and was evicted by the A panel; GEMM 512^3 -mavx2, 12 interleaved
# rounds: 3135 -> 3074 us). C rows are MK_LDC floats apart. FIRST starts
# from zero instead of C (K blocking); LAST applies the epilogue: bias per
# row (MK_BIAS = row, conv) or per column (col, gemm) or none, the
# residual (res has C's layout), the activation.
#
# One packed layout serves every instruction set:
#   AVX-512: 12x32 = 24 zmm accumulators + 2 B vectors + 1 broadcast;
#   AVX2:    16-column halves of the tile, rows in blocks of up to 6
#            (6x16 = 12 ymm accumulators; AVX2_BLOCK);
#   scalar:  plain loops.
# Column tails use masked loads and stores, so B and C are never read or
# written past COLS.
# Caller defines: MK_LDB MK_LDC MK_BIAS, and the epilogue parameters.
# MK_LDA (optional, default 12): floats between A's k-steps, for an A read
# in place (conv_pw_t.m4: 12 consecutive pixels of each input channel
# plane); rows past ROWS are then never read (the 12-row kernel is only
# called with 12 rows, the MR-row tail kernel reads MR), but MK_PREFETCH_A
# assumes 12.
# MK_SPLIT2 (floats, optional): the final store splits the columns by
# parity, even column j to c[r * MK_LDC + j / 2] and odd ones MK_SPLIT2
# floats further (conv_pw_dw.m4's stride-2 depthwise then reads unit-stride
# phases). Only for single-K-block calls (first and last) without a
# residual or a late (sigmoid/tanh) activation, and an even column start.

m4_define(`V', `v$1_$2')
m4_define(`MK_BHALF', `m4_ifdef(`MK_BH', `MK_BH', 16)')
m4_define(`MK_LDA_', `m4_ifdef(`MK_LDA', `MK_LDA', 12)')

# Activations on vectors: ACT_V512(x) / ACT_V256(x) are expressions. The
# min/max operand order keeps NaN as the scalar ACT_APPLY does. sigmoid
# and tanh have no vector form: ACT_LATE is 1 and they run after the store.
m4_define(`ACT_LATE', `m4_ifelse(ACT, `sigmoid', 1, ACT, `tanh', 1, 0)')
m4_define(`ACT_V512', `m4_ifelse(ACT, `relu', `_mm512_max_ps(_mm512_setzero_ps(), $1)',
  ACT, `clip', `_mm512_min_ps(_mm512_set1_ps(ACT_BETA), _mm512_max_ps(_mm512_set1_ps(ACT_ALPHA), $1))',
  ACT, `leaky_relu', `_mm512_mask_mul_ps($1, _mm512_cmp_ps_mask($1, _mm512_setzero_ps(), _CMP_LT_OQ), $1, _mm512_set1_ps(ACT_ALPHA))',
  ACT, `hard_sigmoid', `_mm512_max_ps(_mm512_min_ps(_mm512_fmadd_ps(_mm512_set1_ps(ACT_ALPHA), $1, _mm512_set1_ps(ACT_BETA)), _mm512_set1_ps(1.0f)), _mm512_setzero_ps())',
  ACT, `hard_swish', `_mm512_mul_ps($1, _mm512_max_ps(_mm512_min_ps(_mm512_fmadd_ps($1, _mm512_set1_ps(1.0f / 6.0f), _mm512_set1_ps(0.5f)), _mm512_set1_ps(1.0f)), _mm512_setzero_ps()))',
  `$1')')
m4_define(`ACT_V256', `m4_ifelse(ACT, `relu', `_mm256_max_ps(_mm256_setzero_ps(), $1)',
  ACT, `clip', `_mm256_min_ps(_mm256_set1_ps(ACT_BETA), _mm256_max_ps(_mm256_set1_ps(ACT_ALPHA), $1))',
  ACT, `leaky_relu', `_mm256_blendv_ps($1, _mm256_mul_ps($1, _mm256_set1_ps(ACT_ALPHA)), _mm256_cmp_ps($1, _mm256_setzero_ps(), _CMP_LT_OQ))',
  ACT, `hard_sigmoid', `_mm256_max_ps(_mm256_min_ps(_mm256_fmadd_ps(_mm256_set1_ps(ACT_ALPHA), $1, _mm256_set1_ps(ACT_BETA)), _mm256_set1_ps(1.0f)), _mm256_setzero_ps())',
  ACT, `hard_swish', `_mm256_mul_ps($1, _mm256_max_ps(_mm256_min_ps(_mm256_fmadd_ps($1, _mm256_set1_ps(1.0f / 6.0f), _mm256_set1_ps(0.5f)), _mm256_set1_ps(1.0f)), _mm256_setzero_ps()))',
  `$1')')

# Where column j of row r goes (scalar path).
m4_define(`MK_CIDX', `m4_ifdef(`MK_SPLIT2', `$1 * MK_LDC + ($2 % 2) * MK_SPLIT2 + $2 / 2', `$1 * MK_LDC + $2')')

# MK_SPLIT2 epilogue of AVX-512 row R: both halves, then the even and odd
# lanes of the 32 columns to their two planes.
m4_define(`SPLIT512', `{
                __m512 t0 = V($1, 0), t1 = V($1, 1);
m4_ifelse(MK_BIAS, `row', `                t0 = _mm512_add_ps(t0, _mm512_set1_ps(bias[$1]));
                t1 = _mm512_add_ps(t1, _mm512_set1_ps(bias[$1]));
')                t0 = ACT_V512(t0);
                t1 = ACT_V512(t1);
                _mm512_mask_storeu_ps(c + $1 * MK_LDC, me, _mm512_permutex2var_ps(t0, ev, t1));
                _mm512_mask_storeu_ps(c + $1 * MK_LDC + MK_SPLIT2, mo, _mm512_permutex2var_ps(t0, od, t1));
            }')

# The same for AVX2 row R (relative to rh): 16 columns from ch, in two
# vectors, to 8 even and 8 odd floats.
m4_define(`SPLIT256', `{
                    __m256 t0 = V($1, 0), t1 = V($1, 1);
m4_ifelse(MK_BIAS, `row', `                    t0 = _mm256_add_ps(t0, _mm256_set1_ps(bias[rh + $1]));
                    t1 = _mm256_add_ps(t1, _mm256_set1_ps(bias[rh + $1]));
')                    t0 = ACT_V256(t0);
                    t1 = ACT_V256(t1);
                    _mm256_maskstore_ps(c + (rh + $1) * MK_LDC + ch / 2, ke,
                        _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(t0, t1, 0x88)), 0xD8)));
                    _mm256_maskstore_ps(c + (rh + $1) * MK_LDC + MK_SPLIT2 + ch / 2, ko,
                        _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(t0, t1, 0xDD)), 0xD8)));
                }')

# AVX-512 epilogue of row R, half H (16 columns) under mask M.
m4_define(`EPI512', `{
                __m512 t = V($1, $2);
m4_ifelse(MK_BIAS, `row', `                t = _mm512_add_ps(t, _mm512_set1_ps(bias[$1]));
', MK_BIAS, `col', `                t = _mm512_add_ps(t, _mm512_maskz_loadu_ps($3, bias + $2 * 16));
')m4_ifelse(HAS_RESIDUAL, 1, `                t = _mm512_add_ps(t, _mm512_maskz_loadu_ps($3, res + $1 * MK_LDC + $2 * 16));
')                _mm512_mask_storeu_ps(c + $1 * MK_LDC + $2 * 16, $3, ACT_V512(t));
            }')

# AVX2 epilogue of row R (relative to rh) half H (8 columns, from ch).
m4_define(`EPI256', `{
                    __m256 t = V($1, $2);
m4_ifelse(MK_BIAS, `row', `                    t = _mm256_add_ps(t, _mm256_set1_ps(bias[rh + $1]));
', MK_BIAS, `col', `                    t = _mm256_add_ps(t, _mm256_maskload_ps(bias + ch + $2 * 8, k$2));
')m4_ifelse(HAS_RESIDUAL, 1, `                    t = _mm256_add_ps(t, _mm256_maskload_ps(res + (rh + $1) * MK_LDC + ch + $2 * 8, k$2));
')                    _mm256_maskstore_ps(c + (rh + $1) * MK_LDC + ch + $2 * 8, k$2, ACT_V256(t));
                }')

# Offset of the AVX2 path's 16-column half CH within a B row.
m4_define(`MK_BCH', `m4_ifelse(MK_BHALF, 16, `ch', `(ch >> 4) * MK_BHALF')')

# One k step of an AVX2 block of RB rows x 16 columns, B loaded by the two
# expressions.
m4_define(`AVX2_STEP', `__m256 b0 = $2, b1 = $3, s;
FOR(`R', 0, m4_eval($1 - 1), `                        s = _mm256_broadcast_ss(ak + R);
                        V(R, 0) = _mm256_fmadd_ps(s, b0, V(R, 0));
                        V(R, 1) = _mm256_fmadd_ps(s, b1, V(R, 1));
')')

# MK_PREFETCH_NEXT (floats): each B row read is also prefetched that far
# to the right (conv_gemm.m4's pointwise path, where B rows are pages apart).
# Software prefetch MK_PREFETCH k-steps ahead in B (defined by callers whose
# B panels stream from L2: the hardware prefetcher lags behind 128 bytes
# per 12 cycles).
m4_define(`MK_PREFETCH_LINE', `m4_ifdef(`MK_PREFETCH', `                _mm_prefetch((const char *)($1 + MK_PREFETCH * MK_LDB), _MM_HINT_T0);
')')

# MK_PREFETCH_A (floats), MK_PREFETCH_A_HINT: the packed A panel is also
# prefetched that far ahead, three lines per four k-steps (conv_gemm.m4's
# pointwise layers whose weights come from beyond L2).

# One k-step (k + U) of the AVX-512 12x32 tile for MR rows.
m4_define(`AVX512_STEP', `{
                const float *bk = b + (k + $2) * MK_LDB, *ak = a + (k + $2) * MK_LDA_;
                __m512 b0 = _mm512_maskz_loadu_ps(m0, bk), b1 = _mm512_maskz_loadu_ps(m1, bk + MK_BHALF);
                __m512 s;
MK_PREFETCH_LINE(`bk')MK_PREFETCH_LINE(`bk + MK_BHALF')m4_dnl
m4_ifdef(`MK_PREFETCH_NEXT', `                _mm_prefetch((const char *)(bk + MK_PREFETCH_NEXT), _MM_HINT_T0);
                _mm_prefetch((const char *)(bk + MK_PREFETCH_NEXT + MK_BHALF), _MM_HINT_T0);
')m4_dnl
FOR(`R', 0, $1 - 1, `                s = _mm512_set1_ps(ak[R]);
                V(R, 0) = _mm512_fmadd_ps(s, b0, V(R, 0));
                V(R, 1) = _mm512_fmadd_ps(s, b1, V(R, 1));
')            }')

# One k-step (k + U) of the left half only (COLS <= 16): 12 FMAs on 13 loads.
m4_define(`AVX512_HALF_STEP', `{
                const float *bk = b + (k + $2) * MK_LDB, *ak = a + (k + $2) * MK_LDA_;
                __m512 b0 = _mm512_maskz_loadu_ps(m0, bk);
MK_PREFETCH_LINE(`bk')m4_dnl
m4_ifdef(`MK_PREFETCH_NEXT', `                _mm_prefetch((const char *)(bk + MK_PREFETCH_NEXT), _MM_HINT_T0);
')m4_dnl
FOR(`R', 0, $1 - 1, `                V(R, 0) = _mm512_fmadd_ps(_mm512_set1_ps(ak[R]), b0, V(R, 0));
')            }')

# Rows of the AVX2 path in at most two blocks of <= 6 rows (12 ymm
# accumulators): 12 = 6 + 6, a tail of 8 rows 4 + 4 rather than 6 + 2 (a
# 2-row block has 4 FMA chains, too few to cover the FMA latency; with
# the layout above, GEMM 512^3 -mavx2 3074 -> 3047 us, 12 rounds).
m4_define(`AVX2_RB1', `m4_ifelse(m4_eval($1 <= 6), 1, $1, m4_eval(($1 + 1) / 2))')
m4_define(`AVX2_RB2', `m4_eval($1 - AVX2_RB1($1))')

# One AVX2 block: RB rows from rh, 16 columns from ch, C (+)= A * B.
m4_define(`AVX2_BLOCK', `{
                __m256 FOR(`R', 0, m4_eval($1 - 2), `V(R, 0), V(R, 1), ')V(m4_eval($1 - 1), 0), V(m4_eval($1 - 1), 1);
                if (first) {
FOR(`R', 0, m4_eval($1 - 1), `                    V(R, 0) = V(R, 1) = _mm256_setzero_ps();
')                } else {
FOR(`R', 0, m4_eval($1 - 1), `                    V(R, 0) = rh + R < rows ? _mm256_maskload_ps(c + (rh + R) * MK_LDC + ch, k0) : _mm256_setzero_ps();
                    V(R, 1) = rh + R < rows ? _mm256_maskload_ps(c + (rh + R) * MK_LDC + ch + 8, k1) : _mm256_setzero_ps();
')                }
                if (cols - ch >= 16) {
                    for (k = 0; k + 4 <= kc; k += 4) {
FOR(`U', 0, 3, `                        {
                            const float *bk = b + (k + U) * MK_LDB + MK_BCH, *ak = a + (k + U) * MK_LDA_ + rh;
m4_ifdef(`MK_PREFETCH', `                            _mm_prefetch((const char *)(bk + MK_PREFETCH * MK_LDB), _MM_HINT_T0);
')m4_dnl
                            AVX2_STEP($1, `_mm256_loadu_ps(bk)', `_mm256_loadu_ps(bk + 8)')
                        }
')                    }
                    for (; (kc & 3) && k < kc; k++) {
                        const float *bk = b + k * MK_LDB + MK_BCH, *ak = a + k * MK_LDA_ + rh;
                        AVX2_STEP($1, `_mm256_loadu_ps(bk)', `_mm256_loadu_ps(bk + 8)')
                    }
                } else {
                    for (k = 0; k < kc; k++) {
                        const float *bk = b + k * MK_LDB + MK_BCH, *ak = a + k * MK_LDA_ + rh;
                        AVX2_STEP($1, `_mm256_maskload_ps(bk, k0)', `_mm256_maskload_ps(bk + 8, k1)')
                    }
                }
                if (!last) {
FOR(`R', 0, m4_eval($1 - 1), `                    if (rh + R < rows) {
                        _mm256_maskstore_ps(c + (rh + R) * MK_LDC + ch, k0, V(R, 0));
                        _mm256_maskstore_ps(c + (rh + R) * MK_LDC + ch + 8, k1, V(R, 1));
                    }
')                } else {
m4_ifdef(`MK_SPLIT2', `                    __m256i ke = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)((cols - ch + 1) / 2)), iota);
                    __m256i ko = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)((cols - ch) / 2)), iota);
FOR(`R', 0, m4_eval($1 - 1), `                    if (rh + R < rows)
                        SPLIT256(R)
')', `FOR(`R', 0, m4_eval($1 - 1), `                    if (rh + R < rows) {
                        EPI256(R, 0)
                        EPI256(R, 1)
                    }
')')m4_dnl
                }
            }')

m4_define(`GEMM_MICRO', `
static void KNAME`'_micro$1(const float *restrict a, const float *restrict b, float *restrict c,
                        long kc, long rows, long cols, int first, int last,
                        const float *restrict bias, const float *restrict res)
{
    long k;
    (void)bias;
    (void)res;
#if MLEGEN_AVX512 && SIMD_OK
    {
        __mmask16 m0 = (__mmask16)(cols >= 16 ? 0xffff : (1u << cols) - 1);
        __mmask16 m1 = (__mmask16)(cols >= 32 ? 0xffff : cols <= 16 ? 0 : (1u << (cols - 16)) - 1);
FOR(`R', 0, $2 - 1, `        __m512 V(R, 0), V(R, 1);
')        if (first) {
FOR(`R', 0, $2 - 1, `            V(R, 0) = V(R, 1) = _mm512_setzero_ps();
')        } else {
FOR(`R', 0, $2 - 1, `            V(R, 0) = R < rows ? _mm512_maskz_loadu_ps(m0, c + R * MK_LDC) : _mm512_setzero_ps();
            V(R, 1) = R < rows ? _mm512_maskz_loadu_ps(m1, c + R * MK_LDC + 16) : _mm512_setzero_ps();
')        }
        /* Unrolled by 4: loop overhead is a large share of the four
           uops per cycle the front end issues next to 24 FMAs and 14 loads. */
        if (cols <= 16) {
            /* A tail of at most 16 columns (196 = 6 x 32 + 4 positions of a
               14x14 image): the right half would multiply zeros. Separate
               passes for 1-4 leftover columns as vectors over the rows
               (49 = 32 + 16 + 1 on 7x7) measured 5-13% slower. */
            for (k = 0; k + 4 <= kc; k += 4) {
                AVX512_HALF_STEP($2, 0)
                AVX512_HALF_STEP($2, 1)
                AVX512_HALF_STEP($2, 2)
                AVX512_HALF_STEP($2, 3)
            }
            for (; (kc & 3) && k < kc; k++) {
                AVX512_HALF_STEP($2, 0)
            }
        } else {
            for (k = 0; k + 4 <= kc; k += 4) {
m4_ifdef(`MK_PREFETCH_A', `                _mm_prefetch((const char *)(a + k * 12 + MK_PREFETCH_A), MK_PREFETCH_A_HINT);
                _mm_prefetch((const char *)(a + k * 12 + MK_PREFETCH_A + 16), MK_PREFETCH_A_HINT);
                _mm_prefetch((const char *)(a + k * 12 + MK_PREFETCH_A + 32), MK_PREFETCH_A_HINT);
')m4_dnl
                AVX512_STEP($2, 0)
                AVX512_STEP($2, 1)
                AVX512_STEP($2, 2)
                AVX512_STEP($2, 3)
            }
            for (; (kc & 3) && k < kc; k++) {
                AVX512_STEP($2, 0)
            }
        }
        if (!last) {
FOR(`R', 0, $2 - 1, `            if (R < rows) {
                _mm512_mask_storeu_ps(c + R * MK_LDC, m0, V(R, 0));
                _mm512_mask_storeu_ps(c + R * MK_LDC + 16, m1, V(R, 1));
            }
')            return;
        }
m4_ifdef(`MK_SPLIT2', `        {
            const __m512i ev = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
            const __m512i od = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
            const __mmask16 me = (__mmask16)((1u << ((cols + 1) / 2)) - 1), mo = (__mmask16)((1u << (cols / 2)) - 1);
FOR(`R', 0, $2 - 1, `            if (R < rows)
                SPLIT512(R)
')        }
', `FOR(`R', 0, $2 - 1, `        if (R < rows) {
            EPI512(R, 0, m0)
            EPI512(R, 1, m1)
        }
')')m4_dnl
    }
#elif MLEGEN_AVX2 && SIMD_OK
    {
        const __m256i iota = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
        long rh, ch;
        /* Column halves outer: both row blocks read the same kc x 16 half
           of B back to back, the second time from L1. */
        for (ch = 0; ch < cols; ch += 16) {
            __m256i k0 = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(cols - ch)), iota);
            __m256i k1 = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(cols - ch - 8)), iota);
m4_ifelse(AVX2_RB1($2), AVX2_RB2($2), `            for (rh = 0; rh < rows; rh += AVX2_RB1($2))
                AVX2_BLOCK(AVX2_RB1($2))
', `            rh = 0;
            AVX2_BLOCK(AVX2_RB1($2))
m4_ifelse(AVX2_RB2($2), 0, `', `            rh = AVX2_RB1($2);
            if (rh < rows)
                AVX2_BLOCK(AVX2_RB2($2))
')')m4_dnl
        }
    }
#else
    {
        float acc[12][32];
        long r, j;
        for (r = 0; r < rows; r++)
            for (j = 0; j < 32; j++) acc[r][j] = first || j >= cols ? 0.0f : c[r * MK_LDC + j];
        for (k = 0; k < kc; k++)
            for (r = 0; r < rows; r++) {
                float av = a[k * MK_LDA_ + r];
m4_ifelse(MK_BHALF, 16, `                for (j = 0; j < cols; j++) acc[r][j] += av * b[k * MK_LDB + j];
', `                /* Both 16-column halves in full (packed panels are
                   zero-padded): a fixed trip count the compiler
                   vectorizes; loops to COLS ran 3x slower. */
                const float *bl = b + k * MK_LDB, *br = bl + MK_BHALF;
                for (j = 0; j < 16; j++) {
                    acc[r][j] += av * bl[j];
                    acc[r][j + 16] += av * br[j];
                }
')m4_dnl
            }
        for (r = 0; r < rows; r++)
            for (j = 0; j < cols; j++) {
                float v = acc[r][j];
                if (!last) {
                    c[r * MK_LDC + j] = v;
                    continue;
                }
m4_ifelse(MK_BIAS, `row', `                v += bias[r];
', MK_BIAS, `col', `                v += bias[j];
')                EPILOGUE_STORE(`c', `v', `MK_CIDX(r, j)')
            }
        return;
    }
#endif
m4_ifelse(ACT_LATE, 1, `    if (last) {
        long r, j;
        for (r = 0; r < rows; r++)
            for (j = 0; j < cols; j++) {
                float v = c[r * MK_LDC + j];
                c[r * MK_LDC + j] = ACT_APPLY(v);
            }
    }
')}
')
m4_divert(0)m4_dnl
