m4_divert(-1)
# einsum.m4 - y[outer labels] = sum over the summed labels of a (* b).
# Parameters: KNAME, T, ACC (accumulator type), NIN (1 or 2), NOUT (output
# elements), NSUM (terms per output), NO/ODIMS/OS0/OS1 (output labels:
# sizes and the strides of operands a and b), NS/SDIMS/SS0/SS1 (summed
# labels). A label missing from an operand has stride 0 there; a repeated
# one has the sum of its strides (a diagonal).
m4_need(`T')m4_need(`ACC')m4_need(`NIN')m4_need(`NO')m4_need(`NS')
m4_divert(0)m4_dnl
static void KNAME`'(const T *a, const T *b, T *restrict y)
{
    static const long odims[NO] = ODIMS;
    static const long os0[NO] = OS0;
    static const long os1[NO] = OS1;
    static const long sdims[NS] = SDIMS;
    static const long ss0[NS] = SS0;
    static const long ss1[NS] = SS1;
    long oidx[NO] = {0}, sidx[NS];
    long base0 = 0, base1 = 0, o, r;
    int d;
m4_ifelse(NIN, 1, `    (void)b;
    (void)os1;
    (void)ss1;
')m4_dnl
    for (o = 0; o < NOUT; o++) {
        long i0 = base0, i1 = base1;
        ACC acc = 0;
        for (d = 0; d < NS; d++) sidx[d] = 0;
        for (r = 0; r < NSUM; r++) {
            acc += m4_ifelse(NIN, 2, `(ACC)a[i0] * (ACC)b[i1]', `(ACC)a[i0]');
            for (d = NS - 1; d >= 0; d--) {
                i0 += ss0[d];
                i1 += ss1[d];
                if (++sidx[d] < sdims[d]) break;
                i0 -= ss0[d] * sdims[d];
                i1 -= ss1[d] * sdims[d];
                sidx[d] = 0;
            }
        }
m4_ifelse(NIN, 1, `        (void)i1;
')m4_dnl
        y[o] = (T)acc;
        for (d = NO - 1; d >= 0; d--) {
            base0 += os0[d];
            base1 += os1[d];
            if (++oidx[d] < odims[d]) break;
            base0 -= os0[d] * odims[d];
            base1 -= os1[d] * odims[d];
            oidx[d] = 0;
        }
    }
}
