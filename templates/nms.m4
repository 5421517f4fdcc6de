m4_divert(-1)
# nms.m4 - NonMaxSuppression over boxes[B, N, 4] and scores[B, C, N]: per
# batch and class, candidates scoring above score_threshold in descending
# score order (ties: lower index first) are kept unless their IoU with a
# box already kept exceeds iou_threshold, up to max_output_boxes_per_class.
# Output rows [batch, class, box] in that order; their count to *extent.
# CENTER: boxes are [x_center, y_center, width, height], else two corners
# [y1, x1, y2, x2] in any order. Scratch: order[N], kept[N] (int64).
# Parameters: B C N CENTER
m4_need(`N')
m4_divert(0)m4_dnl
static void KNAME`'_corners(const float *b, float *y1, float *x1, float *y2, float *x2)
{
m4_ifelse(CENTER, 1, `    *x1 = b[0] - b[2] * 0.5f;
    *x2 = b[0] + b[2] * 0.5f;
    *y1 = b[1] - b[3] * 0.5f;
    *y2 = b[1] + b[3] * 0.5f;', `    *y1 = fminf(b[0], b[2]);
    *y2 = fmaxf(b[0], b[2]);
    *x1 = fminf(b[1], b[3]);
    *x2 = fmaxf(b[1], b[3]);')
}

static float KNAME`'_iou(const float *a, const float *b)
{
    float ay1, ax1, ay2, ax2, by1, bx1, by2, bx2, ih, iw, inter, uni;
    KNAME`'_corners(a, &ay1, &ax1, &ay2, &ax2);
    KNAME`'_corners(b, &by1, &bx1, &by2, &bx2);
    ih = fminf(ay2, by2) - fmaxf(ay1, by1);
    iw = fminf(ax2, bx2) - fmaxf(ax1, bx1);
    if (ih <= 0.0f || iw <= 0.0f) return 0.0f;
    inter = ih * iw;
    uni = (ay2 - ay1) * (ax2 - ax1) + (by2 - by1) * (bx2 - bx1) - inter;
    return uni > 0.0f ? inter / uni : 0.0f;
}

static void KNAME`'(const float *restrict boxes, const float *restrict scores, const int64_t *restrict max_out,
                  const float *restrict iou_th, const float *restrict score_th, int64_t *restrict y,
                  int64_t *restrict extent, int64_t *restrict scratch)
{
    int64_t *order = scratch, *kept = scratch + N;
    long b, c, i, j, rows = 0;
    long limit = max_out ? (long)max_out[0] : 0;
    float iou_limit = iou_th ? iou_th[0] : 0.0f;
    for (b = 0; b < B; b++)
        for (c = 0; c < C; c++) {
            const float *sc = scores + (b * C + c) * (long)N;
            const float *bx = boxes + b * (long)N * 4;
            long cand = 0, nk = 0;
            for (i = 0; i < N; i++)
                if (!score_th || sc[i] > score_th[0]) order[cand++] = i;
            /* Insertion sort, descending score, stable (lower index first). */
            for (i = 1; i < cand; i++) {
                int64_t v = order[i];
                for (j = i - 1; j >= 0 && sc[order[j]] < sc[v]; j--) order[j + 1] = order[j];
                order[j + 1] = v;
            }
            for (i = 0; i < cand && nk < limit; i++) {
                int keep = 1;
                for (j = 0; j < nk && keep; j++)
                    if (KNAME`'_iou(bx + order[i] * 4, bx + kept[j] * 4) > iou_limit) keep = 0;
                if (!keep) continue;
                kept[nk++] = order[i];
                y[rows * 3] = b;
                y[rows * 3 + 1] = c;
                y[rows * 3 + 2] = order[i];
                rows++;
            }
        }
    *extent = rows;
}
