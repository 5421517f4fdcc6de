m4_divert(-1)
# onehot.m4 - y[o, d, i] = vals[idx[o, i] == d] for the OUTER x DEPTH x
# INNER output; a negative index counts from DEPTH, and an index out of
# range matches no position. vals = {off_value, on_value}, read at run time.
# Parameters: T TI OUTER DEPTH INNER FLOAT_INDEX
m4_need(`T')m4_need(`TI')m4_need(`DEPTH')
m4_divert(0)m4_dnl
static void KNAME`'(const TI *restrict idx, const T *restrict vals, T *restrict y)
{
    long o, d, i;
    for (o = 0; o < OUTER; o++)
        for (i = 0; i < INNER; i++) {
            long v = (long)idx[o * INNER + i];
            if (v < 0) v += DEPTH;
            for (d = 0; d < DEPTH; d++) y[(o * DEPTH + d) * (long)INNER + i] = vals[d == v];
        }
}
