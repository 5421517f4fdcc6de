m4_divert(-1)
# normalize.m4 - normalizes x over the NR "reduced" positions separately for
# each of the NK "kept" positions; both sets are strided views of x (dims
# and strides KDIMS/KSTRIDES, RDIMS/RSTRIDES). Statistics in double.
#   layer:    (x - mean) / sqrt(var + EPS) * w[r % W_N] + b[r % B_N], and the
#             mean and 1 / sqrt(var + EPS) per kept position when asked;
#   instance: (x - mean) / sqrt(var + EPS) * w[c] + b[c], c = kept index % C;
#   mvn:      (x - mean) / (sqrt(var) + EPS);
#   lp1, lp2: x / sum |x|, x / sqrt(sum x^2) (no mean).
# Parameters: MODE NK NR KRANK KDIMS KSTRIDES RRANK RDIMS RSTRIDES EPS
#             W_N B_N HAS_STATS (layer), C (instance)
m4_need(`MODE')m4_need(`NK')m4_need(`NR')
m4_define(`CENTERED', m4_ifelse(MODE, `lp1', 0, MODE, `lp2', 0, 1))
# layer over one contiguous run (the last axis: transformers): sums in 8
# independent double chains (one chain pays the add latency per element),
# the row pass in a form the compiler vectorizes.
# RSTRIDES is compared only when RRANK is 1: with more axes it holds commas,
# which m4 would split into extra arguments.
m4_define(`LAYER_CONTIG', m4_ifelse(MODE`'RRANK, `layer1', `m4_ifelse(RSTRIDES, `{1}', 1, 0)', 0))
m4_define(`WAT', m4_ifelse(W_N, NR, `w[r]', `w[r % W_N]'))
m4_define(`BAT', m4_ifelse(B_N, NR, `b[r]', `b[r % B_N]'))
m4_divert(0)m4_dnl
static long KNAME`'_off(long i, const long *dims, const long *st, int rank)
{
    long off = 0;
    int d;
    for (d = rank - 1; d >= 0; d--) {
        off += (i % dims[d]) * st[d];
        i /= dims[d];
    }
    return off;
}

static void KNAME`'(const float *restrict x, const float *w, const float *b, float *restrict y,
                  float *mean_out, float *istd_out)
{
    static const long kd[KRANK] = KDIMS, ks[KRANK] = KSTRIDES;
    static const long rd[RRANK] = RDIMS, rs[RRANK] = RSTRIDES;
    long k, r;
    (void)w;
    (void)b;
    (void)mean_out;
    (void)istd_out;
m4_ifelse(LAYER_CONTIG, 1, `m4_dnl
    (void)rd, (void)rs;
    for (k = 0; k < NK; k++) {
        const float *xr = x + KNAME`'_off(k, kd, ks, KRANK);
        float *yr = y + KNAME`'_off(k, kd, ks, KRANK);
        double mean, inv, FOR(`P', 0, 6, `s`'P = 0.0, ')s7 = 0.0;
        for (r = 0; r + 8 <= NR; r += 8) {
FOR(`P', 0, 7, `            s`'P += xr[r + P];
')        }
        for (; r < NR; r++) s0 += xr[r];
        mean = (((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))) / (double)NR;
FOR(`P', 0, 7, `        s`'P = 0.0;
')        for (r = 0; r + 8 <= NR; r += 8) {
FOR(`P', 0, 7, `            s`'P += (xr[r + P] - mean) * (xr[r + P] - mean);
')        }
        for (; r < NR; r++) s0 += (xr[r] - mean) * (xr[r] - mean);
        inv = 1.0 / sqrt((((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))) / (double)NR + EPS);
m4_ifelse(B_N, 0, `        for (r = 0; r < NR; r++) yr[r] = (float)((xr[r] - mean) * inv * WAT);
', `        for (r = 0; r < NR; r++) yr[r] = (float)((xr[r] - mean) * inv * WAT + BAT);
')m4_dnl
m4_ifelse(HAS_STATS, 1, `        if (mean_out) mean_out[k] = (float)mean;
        if (istd_out) istd_out[k] = (float)inv;
')m4_dnl
    }
', `m4_dnl
    for (k = 0; k < NK; k++) {
        long ko = KNAME`'_off(k, kd, ks, KRANK);
        double s = 0.0, s2 = 0.0, mean = 0.0, inv;
m4_ifelse(CENTERED, 1, `m4_dnl
        for (r = 0; r < NR; r++) s += x[ko + KNAME`'_off(r, rd, rs, RRANK)];
        mean = s / (double)NR;
        for (r = 0; r < NR; r++) {
            double d = x[ko + KNAME`'_off(r, rd, rs, RRANK)] - mean;
            s2 += d * d;
        }
', `m4_dnl
        for (r = 0; r < NR; r++) {
            double v = x[ko + KNAME`'_off(r, rd, rs, RRANK)];
            s2 += m4_ifelse(MODE, `lp1', `fabs(v)', `v * v');
        }
        (void)s;
')m4_dnl
m4_ifelse(MODE, `mvn', `m4_dnl
        inv = 1.0 / (sqrt(s2 / (double)NR) + EPS);
', MODE, `lp1', `m4_dnl
        inv = 1.0 / s2;
', MODE, `lp2', `m4_dnl
        inv = 1.0 / sqrt(s2);
', `m4_dnl
        inv = 1.0 / sqrt(s2 / (double)NR + EPS);
')m4_dnl
        for (r = 0; r < NR; r++) {
            long o = ko + KNAME`'_off(r, rd, rs, RRANK);
            double v = (x[o] - mean) * inv;
m4_ifelse(MODE, `layer', `m4_dnl
            v *= w[r % W_N];
m4_ifelse(B_N, 0, `', `            v += b[r % B_N];
')', MODE, `instance', `m4_dnl
            v = v * w[k % C] + b[k % C];
')m4_dnl
            y[o] = (float)v;
        }
m4_ifelse(MODE, `layer', `m4_ifelse(HAS_STATS, 1, `m4_dnl
        if (mean_out) mean_out[k] = (float)mean;
        if (istd_out) istd_out[k] = (float)inv;
')')m4_dnl
    }
')m4_dnl
}
