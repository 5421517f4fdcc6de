m4_divert(-1)
# convtranspose.m4 - transposed convolution, direct scatter loops over up to
# 3 spatial axes (fewer axes arrive as leading size-1 axes). Weights in ONNX
# layout [CIN, COUT/GROUPS, KD, KH, KW], read at run time. Each input
# element adds x * w to the outputs at i * S - P + k * D that fall inside.
# Parameters: NB CIN COUT GROUPS ID IH IW KD KH KW SD SH SW DD DH DW
#             PD PH PW OD OH OW HAS_BIAS
m4_need(`CIN')m4_need(`COUT')m4_need(`GROUPS')
m4_define(`CG', m4_eval(CIN / GROUPS))
m4_define(`MG', m4_eval(COUT / GROUPS))
m4_divert(0)m4_dnl
static void KNAME`'(const float *restrict x, const float *restrict w, const float *restrict bias,
                  float *restrict y)
{
    const long osz = (long)OD * OH * OW, isz = (long)ID * IH * IW;
    long b, m, c, i, o, id, ih, iw, kd, kh, kw;
    (void)bias;
    for (b = 0; b < NB; b++)
        for (m = 0; m < COUT; m++)
            for (o = 0; o < osz; o++) y[(b * COUT + m) * osz + o] = m4_ifelse(HAS_BIAS, 1, `bias[m]', `0.0f');
    for (b = 0; b < NB; b++)
        for (c = 0; c < CIN; c++) {
            const long g = c / CG;
            const float *xc = x + (b * CIN + c) * isz;
            for (m = 0; m < MG; m++) {
                const float *wk = w + (c * MG + m) * (long)(KD * KH * KW);
                float *yc = y + (b * COUT + g * MG + m) * osz;
                for (i = 0; i < isz; i++) {
                    const float v = xc[i];
                    id = i / (IH * IW);
                    ih = (i / IW) % IH;
                    iw = i % IW;
                    for (kd = 0; kd < KD; kd++) {
                        const long od = id * SD - PD + kd * DD;
                        if (od < 0 || od >= OD) continue;
                        for (kh = 0; kh < KH; kh++) {
                            const long oh = ih * SH - PH + kh * DH;
                            if (oh < 0 || oh >= OH) continue;
                            for (kw = 0; kw < KW; kw++) {
                                const long ow = iw * SW - PW + kw * DW;
                                if (ow < 0 || ow >= OW) continue;
                                yc[(od * OH + oh) * OW + ow] += v * wk[(kd * KH + kh) * KW + kw];
                            }
                        }
                    }
                }
            }
        }
}
