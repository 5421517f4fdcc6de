m4_divert(-1)
# pool_nd.m4 - pooling over up to 3 spatial axes (fewer arrive as leading
# size-1 axes) of PLANES planes of ID x IH x IW:
#   max: the largest element of each window (padding never wins; an empty
#        window gives 0), and, when idx is not null, its flat index in x
#        (row-major, or column-major over the spatial axes if COL_MAJOR);
#   lp:  (sum of |x|^P over the window)^(1/P);
#   avg: the mean over the window's positions inside x, or with COUNT_PAD
#        over those inside the padded input (which ends at QD, QH, QW).
# Parameters: MODE T PLANES ID IH IW KD KH KW SD SH SW DD DH DW PD PH PW
#             OD OH OW COL_MAJOR [P] [COUNT_PAD QD QH QW]
m4_need(`MODE')m4_need(`T')m4_need(`PLANES')
m4_divert(0)m4_dnl
static void KNAME`'(const T *restrict x, T *restrict y, int64_t *idx)
{
    const long isz = (long)ID * IH * IW, osz = (long)OD * OH * OW;
    long p, o, kd, kh, kw;
    (void)idx;
    for (p = 0; p < PLANES; p++) {
        const T *xp = x + p * isz;
        for (o = 0; o < osz; o++) {
            const long od = o / (OH * OW), oh = (o / OW) % OH, ow = o % OW;
m4_ifelse(MODE, `max', `m4_dnl
            T m = 0;
            long best = -1;
', `m4_dnl
            double acc = 0.0;
            long cnt = 0;
            (void)cnt;
')m4_dnl
            for (kd = 0; kd < KD; kd++) {
                const long id = od * SD - PD + kd * DD;
                for (kh = 0; kh < KH; kh++) {
                    const long ih = oh * SH - PH + kh * DH;
                    for (kw = 0; kw < KW; kw++) {
                        const long iw = ow * SW - PW + kw * DW;
                        const long at = (id * IH + ih) * IW + iw;
m4_ifelse(MODE, `avg', `m4_ifelse(COUNT_PAD, 1, `m4_dnl
                        if (id < QD && ih < QH && iw < QW) cnt++;
')')m4_dnl
                        if (id < 0 || id >= ID || ih < 0 || ih >= IH || iw < 0 || iw >= IW) continue;
m4_ifelse(MODE, `max', `m4_dnl
                        if (best < 0 || xp[at] > m) {
                            m = xp[at];
                            best = m4_ifelse(COL_MAJOR, 1, `(iw * IH + ih) * ID + id', `at');
                        }
', MODE, `avg', `m4_dnl
                        acc += xp[at];
m4_ifelse(COUNT_PAD, 1, `', `                        cnt++;
')', `m4_dnl
                        acc += pow(fabs((double)xp[at]), P);
')m4_dnl
                    }
                }
            }
m4_ifelse(MODE, `max', `m4_dnl
            y[p * osz + o] = m;
            if (idx) idx[p * osz + o] = best < 0 ? 0 : p * isz + best;
', MODE, `avg', `m4_dnl
            y[p * osz + o] = cnt ? (T)(acc / (double)cnt) : (T)0;
', `m4_dnl
            y[p * osz + o] = (T)pow(acc, 1.0 / P);
')m4_dnl
        }
    }
}
