m4_divert(-1)
# matmul_integer.m4 - MatMulInteger (QLINEAR=0: int32 y = (a - azp)(b - bzp))
# and QLinearMatMul (QLINEAR=1: that product scaled by a_s * b_s / y_s,
# rounded half to even, plus y_zp, saturated to [QMIN, QMAX]) for NBATCH
# broadcast batches of [M, K] x [K, NN]. a's zero point may be per row
# (AZP_N = M), b's zero point and scale per column (BZP_N, BS_N = NN).
# Parameters: TA TB TY M K NN NBATCH BRANK BDIMS ASTRIDES BSTRIDES AZP_N
#             BZP_N QLINEAR [BS_N QMIN QMAX]
m4_need(`TA')m4_need(`TB')m4_need(`TY')m4_need(`QLINEAR')
m4_define(`ZP', `m4_ifelse($2, 0, `0L', $2, 1, `(long)$1[0]', `(long)$1[$3]')')
m4_divert(0)m4_dnl
static void KNAME`'(const TA *restrict a, const float *as, const TA *azp, const TB *restrict b,
                  const float *bs, const TB *bzp, const float *ys, const TY *yzp, TY *restrict y)
{
    static const long bd[BRANK] = BDIMS, sa[BRANK] = ASTRIDES, sb[BRANK] = BSTRIDES;
    long t, i, j, p;
    int d;
    (void)as, (void)bs, (void)ys, (void)yzp, (void)azp, (void)bzp;
    for (t = 0; t < NBATCH; t++) {
        long rem = t, oa = 0, ob = 0;
        for (d = BRANK - 1; d >= 0; d--) {
            oa += (rem % bd[d]) * sa[d];
            ob += (rem % bd[d]) * sb[d];
            rem /= bd[d];
        }
        for (i = 0; i < M; i++)
            for (j = 0; j < NN; j++) {
                long acc = 0;
                for (p = 0; p < K; p++)
                    acc += ((long)a[oa + i * K + p] - ZP(azp, AZP_N, i)) *
                           ((long)b[ob + p * NN + j] - ZP(bzp, BZP_N, j));
m4_ifelse(QLINEAR, 1, `m4_dnl
                {
                    double v = nearbyint((double)acc * ((double)as[0] * bs[m4_ifelse(BS_N, 1, 0, j)] / ys[0])) + (double)yzp[0];
                    y[(t * M + i) * NN + j] = (TY)(v < QMIN ? QMIN : v > QMAX ? QMAX : v);
                }
', `m4_dnl
                y[(t * M + i) * NN + j] = (TY)acc;
')m4_dnl
            }
    }
}
