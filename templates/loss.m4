m4_divert(-1)
# loss.m4 - NegativeLogLikelihoodLoss (SOFTMAX = 0) and
# SoftmaxCrossEntropyLoss (SOFTMAX = 1) over x[NB, C, D] with targets
# t[NB, D]. REDUCTION: 0 none, 1 sum, 2 mean (divided by the summed target
# weights). A target equal to IGNORE (when HAS_IGNORE) contributes nothing;
# a target outside [0, C) reads no memory and contributes nothing.
# Parameters: T TI NB C D REDUCTION HAS_WEIGHT HAS_IGNORE IGNORE SOFTMAX HAS_LOGP
m4_need(`T')m4_need(`REDUCTION')
m4_define(`EXP', `m4_ifelse(T, `double', `exp($1)', `expf($1)')')
m4_define(`LOG', `m4_ifelse(T, `double', `log($1)', `logf($1)')')
m4_divert(0)m4_dnl
static void KNAME`'(const T *restrict x, const TI *restrict t, const T *restrict w, T *restrict loss,
                  T *restrict logp)
{
    long n, d, c;
    double total = 0.0, wsum = 0.0;
    (void)w;
    (void)logp;
    (void)c;
    for (n = 0; n < NB; n++)
        for (d = 0; d < D; d++) {
            const T *xr = x + n * (long)(C * D) + d;
            long tc = (long)t[n * D + d];
            double lp = 0.0, wt = 1.0;
m4_ifelse(SOFTMAX, 1, `            /* log-softmax over the classes, max-subtracted */
            double m = (double)xr[0], s = 0.0, lse;
            for (c = 1; c < C; c++)
                if ((double)xr[c * D] > m) m = (double)xr[c * D];
            for (c = 0; c < C; c++) s += EXP((double)xr[c * D] - m);
            lse = m + LOG(s);
m4_ifelse(HAS_LOGP, 1, `            for (c = 0; c < C; c++) logp[n * (long)(C * D) + c * D + d] = (T)((double)xr[c * D] - lse);
')m4_dnl
', `')m4_dnl
            if (m4_ifelse(HAS_IGNORE, 1, `tc == IGNORE || ')tc < 0 || tc >= C) {
                wt = 0.0;
            } else {
                lp = m4_ifelse(SOFTMAX, 1, `(double)xr[tc * D] - lse', `(double)xr[tc * D]');
                wt = m4_ifelse(HAS_WEIGHT, 1, `(double)w[tc]', `1.0');
            }
m4_ifelse(REDUCTION, 0, `            loss[n * D + d] = (T)(wt == 0.0 ? 0.0 : -lp * wt);
', `            total += wt == 0.0 ? 0.0 : -lp * wt;
            wsum += wt;
')m4_dnl
        }
m4_ifelse(REDUCTION, 1, `    loss[0] = (T)total;
', REDUCTION, 2, `    loss[0] = (T)(total / wsum);
')m4_dnl
    (void)total;
    (void)wsum;
}
