m4_divert(-1)
# pad.m4 - Pad: output element o maps per dimension to o - PADB in x; a
# position outside x takes val (MODE 0, constant), its mirror image without
# repeating the edge (MODE 1, reflect) or the nearest edge (MODE 2, edge).
# Negative pads crop. Parameters: T N RANK ODIMS XDIMS XSTRIDES PADB MODE
m4_need(`T')m4_need(`RANK')m4_need(`MODE')
m4_divert(0)m4_dnl
static void KNAME`'(const T *restrict x, T val, T *restrict y)
{
    static const long od[RANK] = ODIMS;
    static const long xd[RANK] = XDIMS;
    static const long xs[RANK] = XSTRIDES;
    static const long pb[RANK] = PADB;
    long i;
    int d;
    (void)val;
    for (i = 0; i < N; i++) {
        long rem = i, off = 0;
        int outside = 0;
        for (d = RANK - 1; d >= 0; d--) {
            long c = rem % od[d] - pb[d];
            rem /= od[d];
m4_ifelse(MODE, 0, `m4_dnl
            if (c < 0 || c >= xd[d]) outside = 1;',
MODE, 1, `m4_dnl
            if (xd[d] == 1) c = 0;
            while (c < 0 || c >= xd[d]) c = c < 0 ? -c : 2 * (xd[d] - 1) - c;',
`m4_dnl
            if (c < 0) c = 0;
            if (c >= xd[d]) c = xd[d] - 1;')
            off += c * xs[d];
        }
        y[i] = outside ? val : x[off];
    }
}
