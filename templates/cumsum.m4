m4_divert(-1)
# cumsum.m4 - CumSum along an axis known only at run time (the output shape
# does not depend on it). Parameters: KNAME, T, TA (axis type), RANK, DIMS,
# EXCLUSIVE, REVERSE. An out-of-range axis leaves y untouched.
m4_need(`T')m4_need(`TA')m4_need(`RANK')
m4_divert(0)m4_dnl
static void KNAME`'(const T *restrict x, const TA *restrict axis_p, T *restrict y)
{
    static const long dims[RANK] = DIMS;
    long axis = (long)axis_p[0], outer = 1, dim, inner = 1, o, i, d;
    int k;
    if (axis < 0) axis += RANK;
    if (axis < 0 || axis >= RANK) return;
    for (k = 0; k < axis; k++) outer *= dims[k];
    dim = dims[axis];
    for (k = (int)axis + 1; k < RANK; k++) inner *= dims[k];
    for (o = 0; o < outer; o++)
        for (i = 0; i < inner; i++) {
            const T *xr = x + o * dim * inner + i;
            T *yr = y + o * dim * inner + i;
            T acc = 0;
            for (d = 0; d < dim; d++) {
                long at = m4_ifelse(REVERSE, 1, `dim - 1 - d', `d');
m4_ifelse(EXCLUSIVE, 1, `m4_dnl
                yr[at * inner] = acc;
                acc += xr[at * inner];
', `m4_dnl
                acc += xr[at * inner];
                yr[at * inner] = acc;
')m4_dnl
            }
        }
}
