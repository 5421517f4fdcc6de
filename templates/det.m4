m4_divert(-1)
# det.m4 - determinants of COUNT matrices of M x M floats: LU factorization
# with partial pivoting in double (scratch: one M x M double matrix).
m4_need(`COUNT')m4_need(`M')
m4_divert(0)m4_dnl
static void KNAME`'(const float *restrict x, float *restrict y, double *restrict a)
{
    long c, i, j, k;
    for (c = 0; c < COUNT; c++) {
        double det = 1.0;
        for (i = 0; i < M * M; i++) a[i] = (double)x[c * (long)(M * M) + i];
        for (k = 0; k < M; k++) {
            long p = k;
            for (i = k + 1; i < M; i++)
                if (fabs(a[i * M + k]) > fabs(a[p * M + k])) p = i;
            if (a[p * M + k] == 0.0) {
                det = 0.0;
                break;
            }
            if (p != k) {
                for (j = 0; j < M; j++) {
                    double t = a[k * M + j];
                    a[k * M + j] = a[p * M + j];
                    a[p * M + j] = t;
                }
                det = -det;
            }
            det *= a[k * M + k];
            for (i = k + 1; i < M; i++) {
                double f = a[i * M + k] / a[k * M + k];
                for (j = k; j < M; j++) a[i * M + j] -= f * a[k * M + j];
            }
        }
        y[c] = (float)det;
    }
}
