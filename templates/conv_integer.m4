m4_divert(-1)
# conv_integer.m4 - ConvInteger (QLINEAR=0: int32 output of
# sum (x - x_zp) * (w - w_zp)) and QLinearConv (QLINEAR=1: that sum plus
# the int32 bias, scaled by x_scale * w_scale / y_scale, rounded half to
# even, plus y_zp, saturated to [QMIN, QMAX]). Direct loops over up to 3
# spatial axes, any groups; w_zp and w_scale may be per output channel
# (WZP_N, WS_N values). All operands are read at run time.
# Parameters: TX TW TY NB CIN COUT GROUPS ID IH IW KD KH KW SD SH SW DD DH DW
#             PD PH PW OD OH OW HAS_XZP WZP_N QLINEAR [WS_N HAS_YZP HAS_BIAS QMIN QMAX]
m4_need(`TX')m4_need(`TW')m4_need(`TY')m4_need(`QLINEAR')
m4_define(`CG', m4_eval(CIN / GROUPS))
m4_define(`MG', m4_eval(COUT / GROUPS))
m4_divert(0)m4_dnl
static void KNAME`'(const TX *restrict x, const float *xs, const TX *xzp, const TW *restrict w,
                  const float *ws, const TW *wzp, const float *ys, const TY *yzp,
                  const int32_t *bias, TY *restrict y)
{
    const long osz = (long)OD * OH * OW;
    long b, m, c, o, kd, kh, kw;
    (void)xs, (void)ws, (void)ys, (void)yzp, (void)bias, (void)xzp, (void)wzp;
    for (b = 0; b < NB; b++)
        for (m = 0; m < COUT; m++) {
            const long g = m / MG;
            const long zx = m4_ifelse(HAS_XZP, 1, `(long)xzp[0]', `0');
            const long zw = m4_ifelse(WZP_N, 0, `0', WZP_N, 1, `(long)wzp[0]', `(long)wzp[m]');
            for (o = 0; o < osz; o++) {
                const long od = o / (OH * OW), oh = (o / OW) % OH, ow = o % OW;
                long acc = 0;
                for (c = 0; c < CG; c++) {
                    const TX *xc = x + (b * CIN + g * CG + c) * (long)(ID * IH * IW);
                    const TW *wk = w + (m * CG + c) * (long)(KD * KH * KW);
                    for (kd = 0; kd < KD; kd++) {
                        const long id = od * SD - PD + kd * DD;
                        if (id < 0 || id >= ID) continue;
                        for (kh = 0; kh < KH; kh++) {
                            const long ih = oh * SH - PH + kh * DH;
                            if (ih < 0 || ih >= IH) continue;
                            for (kw = 0; kw < KW; kw++) {
                                const long iw = ow * SW - PW + kw * DW;
                                if (iw < 0 || iw >= IW) continue;
                                acc += ((long)xc[(id * IH + ih) * IW + iw] - zx) *
                                       ((long)wk[(kd * KH + kh) * KW + kw] - zw);
                            }
                        }
                    }
                }
m4_ifelse(QLINEAR, 1, `m4_dnl
                {
                    double v;
                    m4_ifelse(HAS_BIAS, 1, `acc += bias[m];')
                    v = nearbyint((double)acc * ((double)xs[0] * ws[m4_ifelse(WS_N, 1, 0, m)] / ys[0]));
                    v += m4_ifelse(HAS_YZP, 1, `(double)yzp[0]', `0.0');
                    y[(b * COUT + m) * osz + o] = (TY)(v < QMIN ? QMIN : v > QMAX ? QMAX : v);
                }
', `m4_dnl
                y[(b * COUT + m) * osz + o] = (TY)acc;
')m4_dnl
            }
        }
}
