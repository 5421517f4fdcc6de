/*
 * conv_wino.c - Winograd F(4x4, 3x3) for 3x3, stride-1, undilated,
 * ungrouped convolutions with constant weights (templates/conv_wino.m4).
 *
 * Each 4x4 output tile is computed from a 6x6 input tile d as
 *     Y = AT [ (G g GT) (.) (BT d B) ] A
 * so the 9 multiply-adds per output and input channel of the direct form
 * become 36 / 16 = 2.25, done as 36 GEMMs (one per position xi of the 6x6
 * transformed tile): M_xi[Cout, tiles] = U_xi[Cout, Cin] * V_xi[Cin, tiles].
 * U = G g GT is computed here, in double, and packed in the 12-row panels
 * of the shared micro-kernel: element (r, k) of panel p of position xi at
 * [((xi * panels + p) * Cin + k) * 12 + r]. The interpolation points are
 * 0, +-1, +-2 and infinity; measured against a float64 reference, the
 * largest error is <= 1e-5 of the largest output (direct im2col: <= 2e-6)
 * for the kernel test cases (up to 600 input channels) and resnet18.
 */
#include "ops.h"

#include <stdlib.h>

enum { MRP = 12 };

static const double G[6][3] = {
    {1.0 / 4, 0, 0},
    {-1.0 / 6, -1.0 / 6, -1.0 / 6},
    {-1.0 / 6, 1.0 / 6, -1.0 / 6},
    {1.0 / 24, 1.0 / 12, 1.0 / 6},
    {1.0 / 24, -1.0 / 12, 1.0 / 6},
    {0, 0, 1},
};

int64_t conv_wino_tiles(int64_t oh, int64_t ow) {
    return ((oh + 3) / 4) * ((ow + 3) / 4);
}

/* When Winograd beats the im2col GEMM. It trades 4x fewer multiply-adds for
   a 4x larger transformed weight (36 instead of 9 floats per channel pair)
   and the input/output transforms; the GEMMs are Cout x Cin x tiles, so with
   few tiles they are narrow (the micro-kernel is 32 tiles wide) and the 36
   weight matrices are streamed for little work. Measured (AVX-512, one
   thread, interleaved runs on a shared machine): 3x3 256->256 on 14x14 (16
   tiles) 2.9 ms vs 4.4 ms direct; resnet18 36.0 -> 34.2 ms when its 14x14
   layers use it too; 7x7 layers (4 tiles) stay direct, their 36 x 512 x 512
   weights would be streamed from memory for 4 tiles. So: at least
   WINO_MIN_TILES tiles per image and at most WINO_MAX_WEIGHTS transformed
   weights (9.4 MB), and at least 4 input channels (with fewer, as in a
   CNN's first layer, the GEMMs are too short to pay for the transforms;
   an assumption, not measured). */
enum { WINO_MIN_TILES = 16, WINO_MAX_WEIGHTS = 36 * 256 * 256 };

bool conv_wino_applies(int64_t kh, int64_t kw, int64_t sh, int64_t sw, int64_t dh, int64_t dw,
                       int64_t group, int64_t cin, int64_t cout, int64_t oh, int64_t ow) {
    if (kh != 3 || kw != 3 || sh != 1 || sw != 1 || dh != 1 || dw != 1 || group != 1) return false;
    if (conv_wino_tiles(oh, ow) < WINO_MIN_TILES) return false;
    return 36 * cin * cout <= WINO_MAX_WEIGHTS && cin >= 4;
}

/* Tile rows per block (templates/conv_wino.m4 transforms, multiplies and
   transforms back one block of tile rows at a time, so that V and M, 36 x
   (Cin + Cout) x tiles floats, can stay in L2). The cost of a choice is the
   GEMM columns it computes (tiles padded to the micro-kernel's 32 per
   block), 30% more when V and M spill WINO_BLOCK_BYTES; the cheapest wins,
   the larger block on ties. E.g. resnet18's 56x56 layers take blocks of 2
   tile rows (28 tiles: no more padding than the whole 196), its 28x28
   layers the whole image (blocks of 2 rows would pad 14 tiles to 32). */
enum { WINO_BLOCK_BYTES = 512 * 1024 };

int64_t conv_wino_block_rows(int64_t cin, int64_t cout, int64_t oh, int64_t ow) {
    int64_t th = (oh + 3) / 4, tw = (ow + 3) / 4, best = th;
    double best_cost = -1;
    for (int64_t trb = th; trb >= 1; trb--) {
        int64_t cols = 0;
        for (int64_t t0 = 0; t0 < th; t0 += trb) {
            int64_t rows = th - t0 < trb ? th - t0 : trb;
            cols += (rows * tw + 31) / 32 * 32;
        }
        bool fits = 36 * (cin + cout) * trb * tw * 4 <= WINO_BLOCK_BYTES;
        double cost = cols * (fits ? 1.0 : 1.3);
        if (best_cost < 0 || cost < best_cost) best = trb, best_cost = cost;
    }
    return best;
}

/* Scratch of templates/conv_wino.m4: the phase-split input plane of one
   block, V and M of one block (36 x channels x tiles each), 16 spare floats
   for masked-off lanes. */
int64_t conv_wino_scratch(int64_t cin, int64_t cout, int64_t oh, int64_t ow) {
    int64_t trb = conv_wino_block_rows(cin, cout, oh, ow), tw = (ow + 3) / 4, ntb = trb * tw;
    int64_t wq = (tw + 15) / 16 * 16 + 1, hp = 4 * trb + 2;
    return (hp * 4 * wq + 36 * cin * ntb + 36 * cout * ntb + 16) * 4;
}

/* U = G g GT for every (cout, cin) pair, packed as described above. */
float *conv_wino_pack(const float *w, int64_t cout, int64_t cin, int64_t *packed_len) {
    int64_t panels = (cout + MRP - 1) / MRP;
    *packed_len = 36 * panels * cin * MRP;
    float *p = calloc((size_t)*packed_len, sizeof(float));
    if (!p) return NULL;
    for (int64_t o = 0; o < cout; o++)
        for (int64_t c = 0; c < cin; c++) {
            const float *g = w + (o * cin + c) * 9;
            double t[6][3]; /* G g */
            for (int i = 0; i < 6; i++)
                for (int j = 0; j < 3; j++)
                    t[i][j] = G[i][0] * g[j] + G[i][1] * g[3 + j] + G[i][2] * g[6 + j];
            for (int i = 0; i < 6; i++)
                for (int j = 0; j < 6; j++) {
                    double u = t[i][0] * G[j][0] + t[i][1] * G[j][1] + t[i][2] * G[j][2];
                    int64_t xi = i * 6 + j;
                    p[((xi * panels + o / MRP) * cin + c) * MRP + o % MRP] = (float)u;
                }
        }
    return p;
}
