m4_divert(-1)
# lstm.m4 - ONNX LSTM with constant weights, default activations (sigmoid,
# tanh, tanh), no clip and no peepholes: the common exported LSTM. The
# general cell (any activation, run-time weights) is rnn.m4, which is also
# the reference this kernel is tested against.
#
# The compiler packs per direction, in 64-column panels (element (k, col)
# at ((col / 64) * K + k) * 64 + col % 64, columns past 4*HID zero):
#   wt  W transposed, K = IN;  rt  R transposed, K = HID;
#   bs  Wb + Rb (GP floats per direction).
# Gate columns keep ONNX's order i, o, f, c; GP = 4*HID rounded up to 64.
# Per batch row and direction: the input projection of every step first
# (xg[t] = bs + x_t W^T: a small GEMM, 4 steps share each weight load),
# then per step the recurrent GEMV g = xg[t] + h R^T and the cell update.
# Scratch: xg [SEQ][GP], g [GP], h [HID], c [HID].
# Parameters: SEQ BATCH IN HID GP DIRS REVERSE LAYOUT TS
m4_need(`SEQ')m4_need(`HID')m4_need(`GP')
m4_define(`PANELS', m4_eval(GP / 64))
m4_define(`XAT', `m4_ifelse(LAYOUT, 0, `x + ((long)($1) * BATCH + ($2)) * IN', `x + ((long)($2) * SEQ + ($1)) * IN')')
m4_define(`YAT', `m4_ifelse(LAYOUT, 0, `(((long)$1 * DIRS + dir) * BATCH + $2) * HID', `(((long)$2 * SEQ + $1) * DIRS + dir) * HID')')
m4_define(`STATE_AT', `m4_ifelse(LAYOUT, 0, `((long)dir * BATCH + $1) * HID', `((long)$1 * DIRS + dir) * HID')')

# The vector body, written once for a vector type of VL floats (NV = 64/VL
# vectors per panel): VT LOAD STORE SET1 FMA ADD ZERO name the intrinsics,
# SIG(v) and TANH(v) the activations. TB steps share the projection's
# weight loads; KS independent k chains keep the FMA pipes busy in the GEMV.
m4_define(`VBODY', `
        /* xg[t] = bs + x_t W^T for every step, TB steps at a time. */
        for (t0 = 0; t0 < SEQ; t0 += TB) {
            long tb = SEQ - t0 < TB ? SEQ - t0 : TB;
            for (pn = 0; pn < PANELS; pn++) {
                const float *wp = wt + (long)pn * IN * 64;
                VT FOR(`T', 0, TB - 1, `FOR(`V', 0, NV - 1, `a`'T`'_`'V = LOAD(bs + pn * 64 + V * VL)m4_ifelse(T`'V, m4_eval(TB - 1)`'m4_eval(NV - 1), `;', `, ')')')
                if (tb == TB) {
                    FOR(`T', 0, TB - 1, `const float *x`'T = XAT(`t0 + T', `b');
                    ')for (k = 0; k < IN; k++) {
                        const float *wk = wp + k * 64;
                        VT FOR(`V', 0, NV - 1, `w`'V = LOAD(wk + V * VL)m4_ifelse(V, m4_eval(NV - 1), `;', `, ')')
FOR(`T', 0, TB - 1, `                        {
                            VT xs = SET1(x`'T[k]);
FOR(`V', 0, NV - 1, `                            a`'T`'_`'V = FMA(xs, w`'V, a`'T`'_`'V);
')                        }
')                    }
FOR(`T', 0, TB - 1, `FOR(`V', 0, NV - 1, `                    STORE(xg + (t0 + T) * GP + pn * 64 + V * VL, a`'T`'_`'V);
')')                } else {
                    /* the last steps, one at a time */
                    long tt;
                    for (tt = 0; tt < tb; tt++) {
                        const float *x0 = XAT(`t0 + tt', `b');
FOR(`V', 0, NV - 1, `                        a0_`'V = LOAD(bs + pn * 64 + V * VL);
')                        for (k = 0; k < IN; k++) {
                            VT xs = SET1(x0[k]);
FOR(`V', 0, NV - 1, `                            a0_`'V = FMA(xs, LOAD(wp + k * 64 + V * VL), a0_`'V);
')                        }
FOR(`V', 0, NV - 1, `                        STORE(xg + (t0 + tt) * GP + pn * 64 + V * VL, a0_`'V);
')                    }
                }
            }
        }
        for (s = 0; s < len; s++) {
            long t = reverse ? len - 1 - s : s;
            /* g = xg[t] + h R^T: KS chains of k, NV vectors per panel */
            for (pn = 0; pn < PANELS; pn++) {
                const float *rp = rt + (long)pn * HID * 64;
                VT FOR(`S', 0, KS - 1, `FOR(`V', 0, NV - 1, `r`'S`'_`'V = m4_ifelse(S, 0, `LOAD(xg + t * GP + pn * 64 + V * VL)', `ZERO()')m4_ifelse(S`'V, m4_eval(KS - 1)`'m4_eval(NV - 1), `;', `, ')')')
                for (k = 0; k + KS <= HID; k += KS) {
FOR(`S', 0, KS - 1, `                    {
                        VT hs = SET1(h[k + S]);
FOR(`V', 0, NV - 1, `                        r`'S`'_`'V = FMA(hs, LOAD(rp + (k + S) * 64 + V * VL), r`'S`'_`'V);
')                    }
')                }
                for (; k < HID; k++) {
                    VT hs = SET1(h[k]);
FOR(`V', 0, NV - 1, `                    r0_`'V = FMA(hs, LOAD(rp + k * 64 + V * VL), r0_`'V);
')                }
FOR(`V', 0, NV - 1, `                STORE(g + pn * 64 + V * VL, m4_ifelse(KS, 1, `r0_`'V', KS, 2, `ADD(r0_`'V, r1_`'V)', `ADD(ADD(r0_`'V, r1_`'V), ADD(r2_`'V, r3_`'V))'));
')            }
            /* gates i, o, f, c; c = f c + i c~; h = o tanh(c) */
            for (j = 0; j + VL <= HID; j += VL) {
                VT ig = SIG(LOAD(g + j)), og = SIG(LOAD(g + HID + j));
                VT fg = SIG(LOAD(g + 2 * HID + j)), cg = TANH(LOAD(g + 3 * HID + j));
                VT cv = FMA(fg, LOAD(c + j), MUL(ig, cg));
                STORE(c + j, cv);
                STORE(h + j, MUL(og, TANH(cv)));
            }
            for (; j < HID; j++) LSTM_CELL_SCALAR(j)
            if (y)
                for (j = 0; j < HID; j++) y[YAT(t, b) + j] = h[j];
        }
')
m4_define(`LSTM_CELL_SCALAR', `{
                float ig = 1.0f / (1.0f + expf(-g[$1])), og = 1.0f / (1.0f + expf(-g[HID + $1]));
                float fg = 1.0f / (1.0f + expf(-g[2 * HID + $1])), cg = tanhf(g[3 * HID + $1]);
                c[$1] = fg * c[$1] + ig * cg;
                h[$1] = og * tanhf(c[$1]);
            }')
m4_divert(0)m4_dnl
m4_define(`VMATH_SIGTANH', 1)m4_include(`vmath.m4')m4_dnl

static void KNAME`'(const float *restrict x, const TS *restrict seqlens, const float *restrict h0,
                  const float *restrict c0, float *restrict y, float *restrict yh,
                  float *restrict yc, const float *restrict wt_all, const float *restrict rt_all,
                  const float *restrict bs_all, float *restrict scratch)
{
    float *xg = scratch, *g = xg + (long)SEQ * GP, *h = g + GP, *c = h + HID;
    long dir, b, s, j, k, t0, pn, len;
    (void)seqlens, (void)h0, (void)c0, (void)y, (void)yh, (void)yc, (void)t0, (void)pn;
    for (dir = 0; dir < DIRS; dir++) {
        const float *wt = wt_all + dir * (long)IN * GP, *rt = rt_all + dir * (long)HID * GP;
        const float *bs = bs_all + dir * (long)GP;
        int reverse = REVERSE || dir == 1;
        for (b = 0; b < BATCH; b++) {
            len = seqlens ? (long)seqlens[b] : SEQ;
            if (len < 0) len = 0;
            if (len > SEQ) len = SEQ;
            for (j = 0; j < HID; j++) {
                h[j] = h0 ? h0[STATE_AT(b) + j] : 0.0f;
                c[j] = c0 ? c0[STATE_AT(b) + j] : 0.0f;
            }
#if MLEGEN_AVX512 && SIMD_OK
m4_pushdef(`VT', `__m512')m4_pushdef(`VL', 16)m4_pushdef(`NV', 4)m4_pushdef(`TB', 4)m4_pushdef(`KS', 2)m4_dnl
m4_pushdef(`LOAD', `_mm512_loadu_ps($1)')m4_pushdef(`STORE', `_mm512_storeu_ps($1, $2)')m4_dnl
m4_pushdef(`SET1', `_mm512_set1_ps($1)')m4_pushdef(`FMA', `_mm512_fmadd_ps($1, $2, $3)')m4_dnl
m4_pushdef(`ADD', `_mm512_add_ps($1, $2)')m4_pushdef(`MUL', `_mm512_mul_ps($1, $2)')m4_dnl
m4_pushdef(`ZERO', `_mm512_setzero_ps()')m4_pushdef(`SIG', `KNAME`'_sig16($1)')m4_pushdef(`TANH', `KNAME`'_tanh16($1)')m4_dnl
VBODY
m4_popdef(`VT', `VL', `NV', `TB', `KS', `LOAD', `STORE', `SET1', `FMA', `ADD', `MUL', `ZERO', `SIG', `TANH')m4_dnl
#elif MLEGEN_AVX2 && SIMD_OK
m4_pushdef(`VT', `__m256')m4_pushdef(`VL', 8)m4_pushdef(`NV', 8)m4_pushdef(`TB', 1)m4_pushdef(`KS', 1)m4_dnl
m4_pushdef(`LOAD', `_mm256_loadu_ps($1)')m4_pushdef(`STORE', `_mm256_storeu_ps($1, $2)')m4_dnl
m4_pushdef(`SET1', `_mm256_set1_ps($1)')m4_pushdef(`FMA', `_mm256_fmadd_ps($1, $2, $3)')m4_dnl
m4_pushdef(`ADD', `_mm256_add_ps($1, $2)')m4_pushdef(`MUL', `_mm256_mul_ps($1, $2)')m4_dnl
m4_pushdef(`ZERO', `_mm256_setzero_ps()')m4_pushdef(`SIG', `KNAME`'_sig8($1)')m4_pushdef(`TANH', `KNAME`'_tanh8($1)')m4_dnl
VBODY
m4_popdef(`VT', `VL', `NV', `TB', `KS', `LOAD', `STORE', `SET1', `FMA', `ADD', `MUL', `ZERO', `SIG', `TANH')m4_dnl
#else
            /* k outer, 64 columns inner: unit strides the compiler can
               vectorize, each column still summed in k order. */
            for (t0 = 0; t0 < SEQ; t0++) {
                const float *xt = XAT(`t0', `b');
                float *xgt = xg + t0 * GP;
                for (j = 0; j < GP; j++) xgt[j] = bs[j];
                for (pn = 0; pn < PANELS; pn++)
                    for (k = 0; k < IN; k++)
                        for (j = 0; j < 64; j++) xgt[pn * 64 + j] += xt[k] * wt[(pn * IN + k) * 64 + j];
            }
            for (s = 0; s < len; s++) {
                long t = reverse ? len - 1 - s : s;
                for (j = 0; j < GP; j++) g[j] = xg[t * GP + j];
                for (pn = 0; pn < PANELS; pn++)
                    for (k = 0; k < HID; k++)
                        for (j = 0; j < 64; j++) g[pn * 64 + j] += h[k] * rt[(pn * HID + k) * 64 + j];
                for (j = 0; j < HID; j++) LSTM_CELL_SCALAR(j)
                if (y)
                    for (j = 0; j < HID; j++) y[YAT(t, b) + j] = h[j];
            }
#endif
            if (y)
                for (s = len; s < SEQ; s++)
                    for (j = 0; j < HID; j++) y[YAT(s, b) + j] = 0.0f;
            if (yh)
                for (j = 0; j < HID; j++) yh[STATE_AT(b) + j] = h[j];
            if (yc)
                for (j = 0; j < HID; j++) yc[STATE_AT(b) + j] = c[j];
        }
    }
}
