m4_divert(-1)
# rnn.m4 - ONNX RNN (KIND rnn), GRU (gru) and LSTM (lstm) over one whole
# sequence. Batch rows are independent, so each row runs its own
# recurrence (sequence_lens honoured per row: steps past a row's length
# output zeros and leave its state alone). Weights are read in ONNX layout:
# gate row g of direction d is W[(d * G*HID + g) * IN ...], a contiguous
# dot product. Scratch: gates[G*HID], h[HID], c[HID], tmp[HID].
# Parameters: KIND SEQ BATCH IN HID DIRS REVERSE LAYOUT LBR HAS_CLIP CLIP TS,
#   ACT_F/G/H(2) with ALPHA_*/BETA_* (the second set for the reverse direction).
m4_need(`KIND')m4_need(`HID')
m4_define(`G', m4_ifelse(KIND, `lstm', 4, KIND, `gru', 3, 1))
# ACTIVATE(name, x, alpha, beta)
m4_define(`ACTIVATE', `m4_ifelse(`$1', `Sigmoid', `(1.0f / (1.0f + expf(-($2))))',
  `$1', `Tanh', `tanhf($2)',
  `$1', `Relu', `fmaxf(0.0f, $2)',
  `$1', `HardSigmoid', `fmaxf(0.0f, fminf(1.0f, $3 * ($2) + $4))',
  `$1', `LeakyRelu', `(($2) < 0.0f ? $3 * ($2) : ($2))',
  `$1', `Affine', `($3 * ($2) + $4)',
  `$1', `ScaledTanh', `($3 * tanhf($4 * ($2)))',
  `$1', `Elu', `(($2) < 0.0f ? $3 * (expf($2) - 1.0f) : ($2))',
  `$1', `Softsign', `(($2) / (1.0f + fabsf($2)))',
  `$1', `Softplus', `log1pf(expf($2))',
  `$1', `ThresholdedRelu', `(($2) > $3 ? ($2) : 0.0f)',
  `m4_errprint(`rnn.m4: unknown activation $1
')m4_m4exit(1)')')
m4_define(`F', `(dir ? ACTIVATE(ACT_F2, `$1', ALPHA_F2, BETA_F2) : ACTIVATE(ACT_F, `$1', ALPHA_F, BETA_F))')
m4_define(`GA', `(dir ? ACTIVATE(ACT_G2, `$1', ALPHA_G2, BETA_G2) : ACTIVATE(ACT_G, `$1', ALPHA_G, BETA_G))')
m4_define(`HA', `(dir ? ACTIVATE(ACT_H2, `$1', ALPHA_H2, BETA_H2) : ACTIVATE(ACT_H, `$1', ALPHA_H, BETA_H))')
m4_define(`CLIPPED', `m4_ifelse(HAS_CLIP, 1, `fmaxf(-CLIP, fminf(CLIP, $1))', `$1')')
m4_define(`XAT', `m4_ifelse(LAYOUT, 0, `x + ((long)$1 * BATCH + $2) * IN', `x + ((long)$2 * SEQ + $1) * IN')')
m4_define(`YAT', `m4_ifelse(LAYOUT, 0, `(((long)$1 * DIRS + dir) * BATCH + $2) * HID', `(((long)$2 * SEQ + $1) * DIRS + dir) * HID')')
m4_define(`STATE_AT', `m4_ifelse(LAYOUT, 0, `((long)dir * BATCH + $1) * HID', `((long)$1 * DIRS + dir) * HID')')
m4_divert(0)m4_dnl
static float KNAME`'_dot(const float *restrict a, const float *restrict b, long n)
{
    float s = 0.0f;
    long i;
    for (i = 0; i < n; i++) s += a[i] * b[i];
    return s;
}

static void KNAME`'(const float *restrict x, const float *restrict w, const float *restrict r,
                  const float *restrict bias, const TS *restrict seqlens, const float *restrict h0,
                  const float *restrict c0, const float *restrict p, float *restrict y,
                  float *restrict yh, float *restrict yc, float *restrict scratch)
{
    float *gates = scratch, *h = scratch + G * HID, *c = h + HID, *tmp = c + HID;
    long dir, b, s, j, len;
    (void)bias, (void)seqlens, (void)h0, (void)c0, (void)p, (void)y, (void)yh, (void)yc, (void)c, (void)tmp;
    for (dir = 0; dir < DIRS; dir++) {
        const float *wd = w + dir * (long)(G * HID * IN), *rd = r + dir * (long)(G * HID * HID);
        const float *wb = bias ? bias + dir * (long)(2 * G * HID) : 0, *rb = wb ? wb + G * HID : 0;
        int reverse = REVERSE || dir == 1;
        for (b = 0; b < BATCH; b++) {
            len = seqlens ? (long)seqlens[b] : SEQ;
            if (len < 0) len = 0;
            if (len > SEQ) len = SEQ;
            for (j = 0; j < HID; j++) {
                h[j] = h0 ? h0[STATE_AT(b) + j] : 0.0f;
                c[j] = c0 ? c0[STATE_AT(b) + j] : 0.0f;
            }
            for (s = 0; s < len; s++) {
                long t = reverse ? len - 1 - s : s;
                const float *xt = XAT(t, b);
                long gi;
                for (gi = 0; gi < G * HID; gi++) {
                    float v = KNAME`'_dot(wd + gi * IN, xt, IN);
                    if (wb) v += wb[gi];
m4_ifelse(KIND, `gru', `                    /* the h gate adds its recurrent part after the reset gate */
                    if (gi < 2 * HID) v += KNAME`'_dot(rd + gi * HID, h, HID) + (rb ? rb[gi] : 0.0f);
', `                    v += KNAME`'_dot(rd + gi * HID, h, HID) + (rb ? rb[gi] : 0.0f);
')m4_dnl
                    gates[gi] = v;
                }
m4_ifelse(KIND, `rnn', `                for (j = 0; j < HID; j++) h[j] = F(CLIPPED(gates[j]));
', KIND, `gru', `                for (j = 0; j < HID; j++) {
                    gates[j] = F(CLIPPED(gates[j]));                /* z */
                    gates[HID + j] = F(CLIPPED(gates[HID + j]));    /* r */
                }
m4_ifelse(LBR, 0, `                for (j = 0; j < HID; j++) tmp[j] = gates[HID + j] * h[j];
                for (j = 0; j < HID; j++) {
                    float v = gates[2 * HID + j] + KNAME`'_dot(rd + (2 * HID + j) * HID, tmp, HID) +
                              (rb ? rb[2 * HID + j] : 0.0f);
                    gates[2 * HID + j] = GA(CLIPPED(v)); /* tmp (r * h) is still being read */
                }
', `                for (j = 0; j < HID; j++) {
                    float rh = KNAME`'_dot(rd + (2 * HID + j) * HID, h, HID) + (rb ? rb[2 * HID + j] : 0.0f);
                    float v = gates[2 * HID + j] + gates[HID + j] * rh;
                    gates[2 * HID + j] = GA(CLIPPED(v));
                }
')m4_dnl
                for (j = 0; j < HID; j++) h[j] = (1.0f - gates[j]) * gates[2 * HID + j] + gates[j] * h[j];
', `                for (j = 0; j < HID; j++) {
                    /* gate blocks: i, o, f, c; peepholes P: i, o, f */
                    const float *pd = p ? p + dir * 3 * HID : 0;
                    float gi_ = CLIPPED(gates[j] + (pd ? pd[j] * c[j] : 0.0f));
                    float gf_ = CLIPPED(gates[2 * HID + j] + (pd ? pd[2 * HID + j] * c[j] : 0.0f));
                    float ig = F(gi_), fg = F(gf_), cg = GA(CLIPPED(gates[3 * HID + j]));
                    float go_;
                    c[j] = fg * c[j] + ig * cg;
                    go_ = CLIPPED(gates[HID + j] + (pd ? pd[HID + j] * c[j] : 0.0f));
                    h[j] = F(go_) * HA(c[j]);
                }
')m4_dnl
                if (y)
                    for (j = 0; j < HID; j++) y[YAT(t, b) + j] = h[j];
            }
            if (y)
                for (s = len; s < SEQ; s++)
                    for (j = 0; j < HID; j++) y[YAT(s, b) + j] = 0.0f;
            if (yh)
                for (j = 0; j < HID; j++) yh[STATE_AT(b) + j] = h[j];
m4_ifelse(KIND, `lstm', `            if (yc)
                for (j = 0; j < HID; j++) yc[STATE_AT(b) + j] = c[j];
')m4_dnl
        }
    }
}
