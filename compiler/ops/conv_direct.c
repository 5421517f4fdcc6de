/*
 * conv_direct.c - direct convolution with output positions as the rows of
 * the register tile and output channels as the vectors
 * (templates/conv_direct.m4): no im2col, and tiles of 2 x 7 positions fill
 * 7x7 outputs where the GEMM's 32-column panels do not.
 *
 * The weights are packed in panels of 32 output channels, element (o, k)
 * (k = (c * KH + kh) * KW + kw) at [((o / 32) * K + k) * 32 + o % 32],
 * zero-padded to a whole panel.
 */
#include "ops.h"

enum { DIRECT_PANEL = 32 };

/* When the direct kernel replaces the im2col GEMM (conv_gemm.m4); Winograd
   (conv_wino.c) is decided first. Measured per layer (single-conv models
   with bias + Relu, AVX-512, one thread, 3 interleaved rounds of 60 runs,
   median us, conv_gemm -> conv_direct):
     resnet18 stem 7x7 s2 3->64 at 224:     2909 -> 2178 (0.75)
     layer2.0 3x3 s2 64->128 out 28x28:     1366 -> 1247 (0.91)
     layer3.0 3x3 s2 128->256 out 14x14:    1365 ->  989 (0.73)
     layer4.0 3x3 s2 256->512 out 7x7:      1456 -> 1017 (0.70)
     layer4 3x3 s1 512->512 on 7x7:         3049 -> 2403 (0.79)
     mobilenet_v2 stem 3x3 s2 3->32 at 224:  381 ->  303 (0.79)
   but every 1x1 lost: the downsamples 1x1 s2 64->128 / 128->256 / 256->512
   148 -> 202, 134 -> 179, 139 -> 165, and mobilenet_v2's 7x7 pointwise
   960->320 347 -> 359, 320->1280 483 -> 468, 160->960 165 -> 188,
   960->160 168 -> 174 (with K = Cin alone, the tile's transpose and the
   stride-2 reads across channel planes cost as much as the products, and
   conv_gemm reads a 1x1 input in place). So: every dense kernel larger
   than 1x1. */
bool conv_direct_applies(int64_t kh, int64_t kw, int64_t group) {
    return group == 1 && kh * kw > 1;
}

/* Scratch of templates/conv_direct.m4: the zero-padded image when the
   convolution pads (the template's PADDED), else none. */
int64_t conv_direct_scratch(int64_t cin, int64_t h, int64_t w, int64_t kh, int64_t kw, int64_t sh,
                            int64_t sw, int64_t dh, int64_t dw, int64_t pt, int64_t pl, int64_t oh,
                            int64_t ow) {
    int64_t hp = (oh - 1) * sh + (kh - 1) * dh + 1, wp = (ow - 1) * sw + (kw - 1) * dw + 1;
    if (pt == 0 && pl == 0 && hp <= h && wp <= w) return 0;
    return cin * hp * wp * 4;
}

float *conv_direct_pack(const float *w, int64_t cout, int64_t k, int64_t *packed_len) {
    return pack_panels(w, cout, k, DIRECT_PANEL, packed_len);
}
