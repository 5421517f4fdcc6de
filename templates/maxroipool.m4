m4_divert(-1)
# maxroipool.m4 - Caffe-style max ROI pooling of x [NB, C, H, W] over R rois
# [batch, x1, y1, x2, y2] (scaled by SCALE, rounded half away from zero)
# into PH x PW bins; an empty bin gives 0, a bad batch index reads batch 0.
# Parameters: NB C H W R PH PW SCALE
m4_need(`C')m4_need(`R')m4_need(`PH')
m4_divert(0)m4_dnl
static void KNAME`'(const float *restrict x, const float *restrict rois, float *restrict y)
{
    long r, c, ph, pw, h, w;
    for (r = 0; r < R; r++) {
        const float *roi = rois + r * 5;
        long b = (long)roi[0];
        const long sw = (long)roundf(roi[1] * SCALE), sh = (long)roundf(roi[2] * SCALE);
        const long ew = (long)roundf(roi[3] * SCALE), eh = (long)roundf(roi[4] * SCALE);
        const long rw = ew - sw + 1 > 1 ? ew - sw + 1 : 1, rh = eh - sh + 1 > 1 ? eh - sh + 1 : 1;
        const float bh = (float)rh / (float)PH, bw = (float)rw / (float)PW;
        if (b < 0 || b >= NB) b = 0;
        for (c = 0; c < C; c++) {
            const float *xc = x + (b * C + c) * (long)(H * W);
            for (ph = 0; ph < PH; ph++)
                for (pw = 0; pw < PW; pw++) {
                    long hs = (long)floorf((float)ph * bh) + sh, he = (long)ceilf((float)(ph + 1) * bh) + sh;
                    long ws = (long)floorf((float)pw * bw) + sw, we = (long)ceilf((float)(pw + 1) * bw) + sw;
                    float m = 0.0f;
                    int any = 0;
                    hs = hs < 0 ? 0 : hs > H ? H : hs;
                    he = he < 0 ? 0 : he > H ? H : he;
                    ws = ws < 0 ? 0 : ws > W ? W : ws;
                    we = we < 0 ? 0 : we > W ? W : we;
                    for (h = hs; h < he; h++)
                        for (w = ws; w < we; w++)
                            if (!any || xc[h * W + w] > m) m = xc[h * W + w], any = 1;
                    y[((r * C + c) * PH + ph) * (long)PW + pw] = m;
                }
        }
    }
}
