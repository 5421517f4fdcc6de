m4_divert(-1)
# nonzero.m4 - NonZero: the coordinates of the non-zero elements of x
# (row-major order), as a dense [RANK, nnz] int64 array; nnz goes to *extent.
# Parameters: T N RANK DIMS
m4_need(`RANK')
m4_divert(0)m4_dnl
static void KNAME`'(const T *restrict x, int64_t *restrict y, int64_t *restrict extent)
{
    static const long dims[RANK] = DIMS;
    long i, d, nnz = 0, j = 0;
    for (i = 0; i < N; i++) nnz += x[i] != 0;
    for (i = 0; i < N; i++) {
        long rest = i;
        if (x[i] == 0) continue;
        for (d = RANK - 1; d >= 0; d--) {
            y[d * nnz + j] = rest % dims[d];
            rest /= dims[d];
        }
        j++;
    }
    *extent = nnz;
}
