m4_divert(-1)
# lrn.m4 - local response normalization across channels of [NB, C, S]:
# y = x / (BIAS + ALPHA_N * sum of x^2 over channels c-LO..c+HI)^BETA,
# where ALPHA_N = alpha / size. Parameters: NB C S LO HI ALPHA_N BETA BIAS
m4_need(`C')m4_need(`S')
m4_divert(0)m4_dnl
static void KNAME`'(const float *restrict x, float *restrict y)
{
    long nb, c, s, j;
    for (nb = 0; nb < NB; nb++)
        for (c = 0; c < C; c++)
            for (s = 0; s < S; s++) {
                float sum = 0.0f;
                long lo = c - LO < 0 ? 0 : c - LO, hi = c + HI > C - 1 ? C - 1 : c + HI;
                for (j = lo; j <= hi; j++) {
                    float v = x[(nb * C + j) * (long)S + s];
                    sum += v * v;
                }
                y[(nb * C + c) * (long)S + s] =
                    x[(nb * C + c) * (long)S + s] / powf(BIAS + ALPHA_N * sum, BETA);
            }
}
