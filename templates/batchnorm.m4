m4_divert(-1)
# batchnorm.m4 - BatchNormalization over x[NB, C, INNER] with its
# parameters read at run time. TRAINING: normalize with the batch mean and
# population variance of each channel (accumulated in double) and write
# the running statistics mean * MOMENTUM + batch * (1 - MOMENTUM) to
# out_mean / out_var when given. Else normalize with the given mean and var.
# Parameters: NB C INNER TRAINING EPSILON MOMENTUM
m4_need(`C')m4_need(`TRAINING')
m4_divert(0)m4_dnl
static void KNAME`'(const float *restrict x, const float *restrict scale, const float *restrict bias,
                  const float *restrict mean, const float *restrict var, float *restrict y,
                  float *restrict out_mean, float *restrict out_var)
{
    long b, c, i;
    (void)out_mean, (void)out_var;
    for (c = 0; c < C; c++) {
        double m = (double)mean[c], v = (double)var[c], sc;
m4_ifelse(TRAINING, 1, `        double s = 0.0, s2 = 0.0, cnt = (double)NB * (double)INNER;
        for (b = 0; b < NB; b++)
            for (i = 0; i < INNER; i++) s += (double)x[(b * C + c) * (long)INNER + i];
        m = s / cnt;
        for (b = 0; b < NB; b++)
            for (i = 0; i < INNER; i++) {
                double d = (double)x[(b * C + c) * (long)INNER + i] - m;
                s2 += d * d;
            }
        v = s2 / cnt;
        if (out_mean) out_mean[c] = (float)((double)mean[c] * MOMENTUM + m * (1.0 - MOMENTUM));
        if (out_var) out_var[c] = (float)((double)var[c] * MOMENTUM + v * (1.0 - MOMENTUM));
')m4_dnl
        sc = (double)scale[c] / sqrt(v + EPSILON);
        for (b = 0; b < NB; b++)
            for (i = 0; i < INNER; i++) {
                long k = (b * C + c) * (long)INNER + i;
                y[k] = (float)(((double)x[k] - m) * sc + (double)bias[c]);
            }
    }
}
