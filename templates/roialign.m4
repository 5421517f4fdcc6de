m4_divert(-1)
# roialign.m4 - RoiAlign over x [NB, C, H, W] for R rois [x1, y1, x2, y2]
# (scaled by SCALE; HALF_PIXEL shifts them by -0.5, otherwise a roi is at
# least 1 x 1) with OH x OW bins of SAMPLING (0: adaptive) samples per axis;
# bilinear samples, averaged (MAX=0) or the max of their weighted corners
# (MAX=1, onnxruntime's definition). Samples outside [-1, H] x [-1, W] are 0.
# Parameters: TI NB C H W R OH OW SAMPLING SCALE HALF_PIXEL MAX
m4_need(`TI')m4_need(`C')m4_need(`R')m4_need(`MAX')
m4_divert(0)m4_dnl
static void KNAME`'(const float *restrict x, const float *restrict rois, const TI *restrict bidx,
                  float *restrict y)
{
    const float off = m4_ifelse(HALF_PIXEL, 1, `0.5f', `0.0f');
    long r, c, ph, pw, iy, ix;
    for (r = 0; r < R; r++) {
        const float *roi = rois + r * 4;
        const float sw = roi[0] * SCALE - off, sh = roi[1] * SCALE - off;
        float rw = roi[2] * SCALE - off - sw, rh = roi[3] * SCALE - off - sh;
        long b = (long)bidx[r], gh, gw;
        float bh, bw, count;
m4_ifelse(HALF_PIXEL, 1, `', `m4_dnl
        if (rw < 1.0f) rw = 1.0f;
        if (rh < 1.0f) rh = 1.0f;
')m4_dnl
        if (b < 0 || b >= NB) b = 0;
        bh = rh / (float)OH;
        bw = rw / (float)OW;
        gh = SAMPLING > 0 ? SAMPLING : (long)ceilf(rh / (float)OH);
        gw = SAMPLING > 0 ? SAMPLING : (long)ceilf(rw / (float)OW);
        count = (float)(gh * gw > 1 ? gh * gw : 1);
        (void)count; /* unused in max mode */
        for (c = 0; c < C; c++) {
            const float *xc = x + (b * C + c) * (long)(H * W);
            for (ph = 0; ph < OH; ph++)
                for (pw = 0; pw < OW; pw++) {
                    float acc = 0.0f;
                    int first = 1;
                    for (iy = 0; iy < gh; iy++) {
                        float yy = sh + (float)ph * bh + ((float)iy + 0.5f) * bh / (float)gh;
                        for (ix = 0; ix < gw; ix++) {
                            float xx = sw + (float)pw * bw + ((float)ix + 0.5f) * bw / (float)gw;
                            float v1 = 0.0f, v2 = 0.0f, v3 = 0.0f, v4 = 0.0f;
                            if (!(yy < -1.0f || yy > (float)H || xx < -1.0f || xx > (float)W)) {
                                float ly, lx, fy = yy <= 0.0f ? 0.0f : yy, fx = xx <= 0.0f ? 0.0f : xx;
                                long y0 = (long)fy, x0 = (long)fx, y1, x1;
                                if (y0 >= H - 1) y0 = y1 = H - 1, fy = (float)y0; else y1 = y0 + 1;
                                if (x0 >= W - 1) x0 = x1 = W - 1, fx = (float)x0; else x1 = x0 + 1;
                                ly = fy - (float)y0;
                                lx = fx - (float)x0;
                                v1 = (1.0f - ly) * (1.0f - lx) * xc[y0 * W + x0];
                                v2 = (1.0f - ly) * lx * xc[y0 * W + x1];
                                v3 = ly * (1.0f - lx) * xc[y1 * W + x0];
                                v4 = ly * lx * xc[y1 * W + x1];
                            }
m4_ifelse(MAX, 1, `m4_dnl
                            {
                                float m = v1 > v2 ? v1 : v2;
                                m = m > v3 ? m : v3;
                                m = m > v4 ? m : v4;
                                if (first || m > acc) acc = m;
                            }
', `m4_dnl
                            acc += v1 + v2 + v3 + v4;
')m4_dnl
                            first = 0;
                        }
                    }
                    (void)first;
                    y[((r * C + c) * OH + ph) * (long)OW + pw] = m4_ifelse(MAX, 1, `acc', `acc / count');
                }
        }
    }
}
