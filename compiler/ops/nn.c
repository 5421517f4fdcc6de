/*
 * nn.c - Conv, Gemm, MatMul, BatchNormalization, pooling and Softmax.
 *
 * Weights are re-laid out here at compile time into the panel order the
 * GEMM micro-kernels read (templates/gemm_micro.m4 and gemm_packed.m4 document it):
 *   - weights on the left (Conv: Y[Cout, HW] = W[Cout, K] * cols[K, HW]):
 *     panels of MRP = 12 rows, element (r, k) of panel p at [(p*K + k)*12 + r];
 *   - weights on the right (Gemm/MatMul: Y[M, N] = X[M, K] * W[K, N]):
 *     panels of NRP = 32 columns, each two K x 16 halves: element (k, c) of
 *     panel j at [j*K*32 + (c/16)*K*16 + k*16 + c%16];
 *     a batch-1 product with N <= 16 uses 16-column panels instead, so the
 *     GEMV streams half the padding (e.g. a 10-class classifier).
 * Panels are zero-padded, so kernels never read past the end.
 */
#include "ops.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { MRP = 12, NRP = 32 };

/* ---------------------------------------------------------------- geometry */

static int64_t out_size(int64_t in, int64_t k, int64_t s, int64_t d, int64_t p0, int64_t p1,
                        bool ceil_mode) {
    int64_t span = (k - 1) * d + 1;
    int64_t num = in + p0 + p1 - span;
    if (num < 0) return 0;
    int64_t o = (ceil_mode ? (num + s - 1) / s : num / s) + 1;
    /* The last window must start inside the input or its leading padding. */
    if (ceil_mode && (o - 1) * s >= in + p0) o--;
    return o;
}

/* Reads kernel/stride/dilation/pad attributes into g. kernel is the weight's
   spatial shape for Conv (NULL for pooling, which uses kernel_shape). */
static bool geom_init(Node *n, const Tensor *x, const int64_t *kernel, bool ceil_mode, Geom *g) {
    int r = x->rank;
    if (r != 3 && r != 4) {
        error_at_node(
            n,
            "input '%s' has rank %d; only 1-D and 2-D spatial inputs (rank 3 or 4) are supported",
            x->name, r);
        return false;
    }
    int nsp = r - 2;
    int64_t ks[2] = {1, 1}, st[2] = {1, 1}, di[2] = {1, 1}, pads[4] = {0, 0, 0, 0};
    int nk = attr_ints(n, "kernel_shape", ks, 2);
    if (kernel) {
        if (nk >= 0 && nk != nsp) {
            error_at_node(n, "kernel_shape has %d entries, the input has %d spatial dimensions", nk,
                          nsp);
            return false;
        }
        for (int i = 0; i < nsp; i++) {
            if (nk >= 0 && ks[i] != kernel[i]) {
                error_at_node(n, "kernel_shape disagrees with the weight's shape");
                return false;
            }
            ks[i] = kernel[i];
        }
    } else if (nk != nsp) {
        error_at_node(n, "kernel_shape must have %d entries", nsp);
        return false;
    }
    int ns = attr_ints(n, "strides", st, 2), nd = attr_ints(n, "dilations", di, 2);
    int np = attr_ints(n, "pads", pads, 4);
    if ((ns >= 0 && ns != nsp) || (nd >= 0 && nd != nsp) || (np >= 0 && np != 2 * nsp)) {
        error_at_node(
            n, "strides/dilations/pads have the wrong number of entries for %d spatial dims", nsp);
        return false;
    }
    for (int i = 0; i < nsp; i++) {
        if (ks[i] <= 0 || st[i] <= 0 || di[i] <= 0) {
            error_at_node(n, "kernel, strides and dilations must be positive");
            return false;
        }
        if (pads[i] < 0 || pads[i + nsp] < 0) {
            error_at_node(n, "pads must not be negative");
            return false;
        }
    }
    int64_t in[2] = {x->dims[2], nsp == 2 ? x->dims[3] : 1};
    int64_t pb[2] = {pads[0], nsp == 2 ? pads[1] : 0}, pe[2] = {pads[nsp], nsp == 2 ? pads[3] : 0};
    const char *ap = attr_str(n, "auto_pad", "NOTSET");
    if (strcmp(ap, "SAME_UPPER") == 0 || strcmp(ap, "SAME_LOWER") == 0) {
        for (int i = 0; i < nsp; i++) {
            int64_t o = (in[i] + st[i] - 1) / st[i];
            int64_t total = (o - 1) * st[i] + (ks[i] - 1) * di[i] + 1 - in[i];
            if (total < 0) total = 0;
            pb[i] = ap[5] == 'U' ? total / 2 : total - total / 2;
            pe[i] = total - pb[i];
        }
    } else if (strcmp(ap, "VALID") == 0) {
        pb[0] = pb[1] = pe[0] = pe[1] = 0;
    } else if (strcmp(ap, "NOTSET") != 0) {
        error_at_node(n, "auto_pad '%s' is not valid", ap);
        return false;
    }
    g->nsp = nsp;
    g->n = x->dims[0];
    g->c = x->dims[1];
    g->h = in[0];
    g->w = in[1];
    g->kh = ks[0];
    g->kw = nsp == 2 ? ks[1] : 1;
    g->sh = st[0];
    g->sw = nsp == 2 ? st[1] : 1;
    g->dh = di[0];
    g->dw = nsp == 2 ? di[1] : 1;
    g->pt = pb[0];
    g->pl = pb[1];
    g->pb = pe[0];
    g->pr = pe[1];
    g->oh = out_size(g->h, g->kh, g->sh, g->dh, g->pt, g->pb, ceil_mode);
    g->ow = out_size(g->w, g->kw, g->sw, g->dw, g->pl, g->pr, ceil_mode);
    if (g->oh <= 0 || g->ow <= 0) {
        error_at_node(n, "the kernel does not fit the padded input (output would be empty)");
        return false;
    }
    return true;
}

static void geom_out_dims(const Geom *g, int64_t ch, int64_t *dims) {
    dims[0] = g->n;
    dims[1] = ch;
    dims[2] = g->oh;
    if (g->nsp == 2) dims[3] = g->ow;
}

void kernel_geom(Kernel *k, const Geom *g) {
    kernel_int(k, "NB", g->n);
    kernel_int(k, "H", g->h);
    kernel_int(k, "W", g->w);
    kernel_int(k, "KH", g->kh);
    kernel_int(k, "KW", g->kw);
    kernel_int(k, "SH", g->sh);
    kernel_int(k, "SW", g->sw);
    kernel_int(k, "DH", g->dh);
    kernel_int(k, "DW", g->dw);
    kernel_int(k, "PT", g->pt);
    kernel_int(k, "PL", g->pl);
    kernel_int(k, "PB", g->pb);
    kernel_int(k, "PR", g->pr);
    kernel_int(k, "OH", g->oh);
    kernel_int(k, "OW", g->ow);
}

/* ---------------------------------------------------------------- Conv */

bool conv_geom(Node *n, Geom *g, int64_t *group) {
    Tensor *x = n->inputs[0], *w = n->inputs[1];
    if (w->rank != x->rank) {
        error_at_node(n, "weight '%s' has rank %d, the input has rank %d", w->name, w->rank,
                      x->rank);
        return false;
    }
    if (!geom_init(n, x, w->dims + 2, false, g)) return false;
    *group = attr_int(n, "group", 1);
    if (*group <= 0 || g->c % *group != 0 || w->dims[0] % *group != 0) {
        error_at_node(n, "group %lld does not divide the %lld input and %lld output channels",
                      (long long)*group, (long long)g->c, (long long)w->dims[0]);
        return false;
    }
    if (w->dims[1] * *group != g->c) {
        error_at_node(n,
                      "weight '%s' has %lld input channels per group, the input has %lld channels "
                      "in %lld groups",
                      w->name, (long long)w->dims[1], (long long)g->c, (long long)*group);
        return false;
    }
    return true;
}

int infer_conv(Graph *gr, Node *n) {
    (void)gr;
    if (!need_inputs(n, 2, 3)) return -1;
    Tensor *x = n->inputs[0], *w = n->inputs[1], *b = node_input(n, 2);
    if (!need_dtype_float(n, x, "input") || !need_dtype_float(n, w, "weight")) return -1;
    Geom g;
    int64_t group;
    if (!conv_geom(n, &g, &group)) return -1;
    if (b && (b->rank != 1 || b->dims[0] != w->dims[0])) {
        error_at_node(n, "bias '%s' must have shape [%lld]", b->name, (long long)w->dims[0]);
        return -1;
    }
    int64_t dims[4];
    geom_out_dims(&g, w->dims[0], dims);
    set_out(n, 0, DT_FLOAT, x->rank, dims);
    return 0;
}

int fold_conv(Graph *g, Node *n) {
    (void)g, (void)n;
    return 1; /* constant convolutions are rare: computed at run time */
}

bool conv_is_pointwise(const Geom *g) {
    return g->kh == 1 && g->kw == 1 && g->sh == 1 && g->sw == 1 && g->pt == 0 && g->pl == 0 &&
           g->pb == 0 && g->pr == 0;
}

static bool conv_is_depthwise(const Node *n, const Geom *g, int64_t group) {
    return group == g->c && group > 1 && n->inputs[1]->dims[0] == group;
}

static bool conv_is_wino(const Node *n, const Geom *g, int64_t group) {
    const Tensor *b = node_input((Node *)n, 2);
    if (!n->inputs[1]->data || (b && !b->data)) return false; /* packed at compile time */
    return conv_wino_applies(g->kh, g->kw, g->sh, g->sw, g->dh, g->dw, group, g->c,
                             n->inputs[1]->dims[0], g->oh, g->ow);
}

static bool conv_is_direct(const Node *n, const Geom *g, int64_t group) {
    const Tensor *b = node_input((Node *)n, 2);
    if (!n->inputs[1]->data || (b && !b->data)) return false; /* packed at compile time */
    if (g->nsp != 2 || conv_is_wino(n, g, group)) return false;
    return conv_direct_applies(g->kh, g->kw, group);
}

static int64_t scratch_conv_direct(const Geom *g) {
    return conv_direct_scratch(g->c, g->h, g->w, g->kh, g->kw, g->sh, g->sw, g->dh, g->dw, g->pt,
                               g->pl, g->oh, g->ow);
}

int64_t scratch_conv(const Node *n, const Options *opt) {
    Geom g;
    int64_t group;
    if (!conv_geom((Node *)n, &g, &group)) return 0;
    if (opt->opt_level == 0) return 0;
    if (conv_is_direct(n, &g, group)) return scratch_conv_direct(&g);
    if (conv_is_pointwise(&g)) return 0;
    if (conv_is_depthwise(n, &g, group)) {
        /* One zero-padded channel, columns split by stride phase, 16 spare
           floats per phase row (templates/conv_dw.m4). */
        int64_t rows = (g.oh - 1) * g.sh + (g.kh - 1) * g.dh + 1;
        int64_t wph = (g.w + g.pl + g.pr + g.sw - 1) / g.sw + 16;
        return rows * g.sw * wph * 4;
    }
    if (conv_is_wino(n, &g, group))
        return conv_wino_scratch(g.c, n->inputs[1]->dims[0], g.oh, g.ow);
    /* One im2col block of templates/conv_gemm.m4: KC rows by JB panels of
       32 columns (the same formulas as the template's). */
    int64_t k = (g.c / group) * g.kh * g.kw, panels = (g.oh * g.ow + 31) / 32;
    int64_t kc = k <= 512 ? k : 256, jb = 65536 / (kc * 32);
    if (jb < 1) jb = 1;
    if (jb > panels) jb = panels;
    return kc * jb * 32 * 4;
}

/* Packs W[M, K] (row-major) into panels of `panel` rows: element (i, j) at
   [((i / panel) * K + j) * panel + i % panel], the last panel zero-padded. */
float *pack_panels(const float *w, int64_t m, int64_t k, int64_t panel, int64_t *packed_len) {
    int64_t panels = (m + panel - 1) / panel;
    *packed_len = panels * k * panel;
    float *p = calloc((size_t)*packed_len, sizeof(float));
    if (!p) return NULL;
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < k; j++)
            p[((i / panel) * k + j) * panel + i % panel] = w[i * k + j];
    return p;
}

/* Emits weights packed at compile time (freed here) as a constant array,
   commented with the tensor they come from and their layout; NULL when
   there is nothing to emit (the packer failed). */
const char *emit_packed_weights(Emit *e, float *packed, int64_t len, const char *wname,
                                const char *layout) {
    if (!packed) return NULL;
    char comment[300];
    snprintf(comment, sizeof comment, "%.200s %s", wname, layout);
    const char *expr = emit_const_array(e, DT_FLOAT, packed, len, comment);
    free(packed);
    return expr;
}

/* W[M, K] in the 12-row panels of gemm_micro.m4. */
float *pack_rows(const float *w, int64_t m, int64_t k, int64_t *packed_len) {
    return pack_panels(w, m, k, MRP, packed_len);
}

static int emit_conv_ref(Emit *e, Node *n, const Geom *g, int64_t group) {
    Tensor *w = n->inputs[1], *b = node_input(n, 2);
    Kernel *k = kernel_begin(e, "conv_ref");
    kernel_geom(k, g);
    kernel_int(k, "CIN", g->c);
    kernel_int(k, "COUT", w->dims[0]);
    kernel_int(k, "GROUPS", group);
    kernel_int(k, "HAS_BIAS", b != NULL);
    kernel_epilogue(k, &n->epi);
    const char *fn = kernel_end(e, k);
    /* Weights, bias and residual may all be run-time tensors here. */
    Tensor *r = n->epi.residual;
    if (b && r)
        emit_stmt(e, "%s(%C, %C, %C, %C, %T);", fn, n->inputs[0], w, b, r, n->outputs[0]);
    else if (b)
        emit_stmt(e, "%s(%C, %C, %C, 0, %T);", fn, n->inputs[0], w, b, n->outputs[0]);
    else if (r)
        emit_stmt(e, "%s(%C, %C, 0, %C, %T);", fn, n->inputs[0], w, r, n->outputs[0]);
    else
        emit_stmt(e, "%s(%C, %C, 0, 0, %T);", fn, n->inputs[0], w, n->outputs[0]);
    return 0;
}

/* Emits "fn(x, w, bias, residual, y)" resolving the optional pointers. */
static void emit_conv_call(Emit *e, Node *n, const char *fn, const char *w_expr,
                           const char *scratch) {
    Tensor *b = node_input(n, 2);
    Buf s = {0};
    buf_printf(&s, "%s(%%C, %s, %s, %s, %%T%s%s);", fn, w_expr, b ? "%C" : "0",
               n->epi.residual ? "%C" : "0", scratch ? ", " : "", scratch ? scratch : "");
    if (b && n->epi.residual)
        emit_stmt(e, s.data, n->inputs[0], b, n->epi.residual, n->outputs[0]);
    else if (b)
        emit_stmt(e, s.data, n->inputs[0], b, n->outputs[0]);
    else if (n->epi.residual)
        emit_stmt(e, s.data, n->inputs[0], n->epi.residual, n->outputs[0]);
    else
        emit_stmt(e, s.data, n->inputs[0], n->outputs[0]);
    buf_free(&s);
}

/* Winograd F(4x4, 3x3) (conv_wino.c, templates/conv_wino.m4). */
static int emit_conv_wino(Emit *e, Node *n, const Geom *g) {
    Tensor *w = n->inputs[1], *b = node_input(n, 2);
    int64_t cout = w->dims[0], plen = 0;
    float *packed = conv_wino_pack((const float *)w->data, cout, g->c, &plen);
    if (!packed) return -1;
    Kernel *k = kernel_begin(e, "conv_wino");
    kernel_geom(k, g);
    kernel_int(k, "CIN", g->c);
    kernel_int(k, "COUT", cout);
    kernel_int(k, "TRB", conv_wino_block_rows(g->c, cout, g->oh, g->ow));
    kernel_int(k, "HAS_BIAS", b != NULL);
    kernel_epilogue(k, &n->epi);
    const char *fn = kernel_end(e, k);
    const char *wexpr =
        emit_packed_weights(e, packed, plen, w->name, "Winograd-transformed, in 12-row panels");
    emit_conv_call(e, n, fn, wexpr, emit_scratch(e, "float", scratch_conv(n, emit_options(e))));
    return 0;
}

static float *pack_cols(const float *b, bool tb, int64_t k, int64_t nn, float alpha, int nrp,
                        int64_t *len);

/* A pointwise layer on a small image runs transposed (templates/conv_pw_t.m4)
   when its pixel count leaves a last 32-column panel of conv_gemm.m4 more
   than half empty: 7x7 = 49 = 32 + 17 used 49 of 64 lanes. 7x7, 8
   interleaved rounds, us: 960->160 170 -> 134, 960->320 345 -> 277,
   576->160 104 -> 81, 320->160 53 -> 44, 160->960 159 -> 145, 320->1280
   438 -> 393. At 14x14 (196 = 6 x 32 + 4) it gained nothing (96->576 205
   -> 211, 576->96 208 -> 207), hence the rule. */
static bool conv_is_pw_t(const Geom *g, int64_t group) {
    int64_t nc = g->oh * g->ow;
    return group == 1 && conv_is_pointwise(g) && nc <= 256 && nc % 32 > 16;
}

/* The kernel of a conv whose weights are packed at compile time: geometry,
   channel counts, bias flag and epilogue; returns its function name. */
static const char *conv_packed_kernel(Emit *e, Node *n, const Geom *g, const char *tmpl) {
    Kernel *k = kernel_begin(e, tmpl);
    kernel_geom(k, g);
    kernel_int(k, "CIN", g->c);
    kernel_int(k, "COUT", n->inputs[1]->dims[0]);
    kernel_int(k, "HAS_BIAS", node_input(n, 2) != NULL);
    kernel_epilogue(k, &n->epi);
    return kernel_end(e, k);
}

static int emit_conv_pw_t(Emit *e, Node *n, const Geom *g) {
    Tensor *w = n->inputs[1];
    int64_t cout = w->dims[0], plen = 0;
    float *packed = pack_cols((const float *)w->data, true, g->c, cout, 1.0f, 32, &plen);
    if (!packed) return -1;
    const char *fn = conv_packed_kernel(e, n, g, "conv_pw_t");
    const char *wexpr = emit_packed_weights(
        e, packed, plen, w->name, "transposed, in 32-column panels of two 16-column halves");
    emit_conv_call(e, n, fn, wexpr, NULL);
    return 0;
}

/* Direct convolution (conv_direct.c, templates/conv_direct.m4). */
static int emit_conv_direct(Emit *e, Node *n, const Geom *g) {
    Tensor *w = n->inputs[1];
    int64_t cout = w->dims[0], plen = 0;
    float *packed = conv_direct_pack((const float *)w->data, cout, g->c * g->kh * g->kw, &plen);
    if (!packed) return -1;
    const char *fn = conv_packed_kernel(e, n, g, "conv_direct");
    const char *wexpr =
        emit_packed_weights(e, packed, plen, w->name, "packed in 32-channel panels");
    int64_t sb = scratch_conv_direct(g);
    emit_conv_call(e, n, fn, wexpr, sb ? emit_scratch(e, "float", sb) : NULL);
    return 0;
}

int emit_conv(Emit *e, Node *n) {
    Tensor *w = n->inputs[1], *b = node_input(n, 2);
    Geom g;
    int64_t group;
    if (!conv_geom(n, &g, &group)) return -1;
    /* Weights known only at run time cannot be packed: the reference kernel
       reads them in ONNX layout. */
    if (!w->data || (b && !b->data)) return emit_conv_ref(e, n, &g, group);
    int64_t cout = w->dims[0];
    if (emit_options(e)->opt_level == 0) {
        Kernel *k = kernel_begin(e, "conv_ref");
        kernel_geom(k, &g);
        kernel_int(k, "CIN", g.c);
        kernel_int(k, "COUT", cout);
        kernel_int(k, "GROUPS", group);
        kernel_int(k, "HAS_BIAS", b != NULL);
        kernel_epilogue(k, &n->epi);
        emit_conv_call(e, n, kernel_end(e, k),
                       emit_const_array(e, DT_FLOAT, w->data, tensor_numel(w), w->name), NULL);
        return 0;
    }
    if (conv_is_depthwise(n, &g, group)) {
        Kernel *k = kernel_begin(e, "conv_dw");
        kernel_geom(k, &g);
        kernel_int(k, "C", g.c);
        kernel_int(k, "HAS_BIAS", b != NULL);
        kernel_epilogue(k, &n->epi);
        emit_conv_call(e, n, kernel_end(e, k),
                       emit_const_array(e, DT_FLOAT, w->data, tensor_numel(w), w->name),
                       emit_scratch(e, "float", scratch_conv(n, emit_options(e))));
        return 0;
    }
    if (conv_is_wino(n, &g, group)) return emit_conv_wino(e, n, &g);
    if (conv_is_direct(n, &g, group)) return emit_conv_direct(e, n, &g);
    if (conv_is_pw_t(&g, group)) return emit_conv_pw_t(e, n, &g);
    /* Per group: Y_g[Mg, OH*OW] = W_g[Mg, Kg] * cols_g[Kg, OH*OW]. */
    int64_t mg = cout / group, kg = (g.c / group) * g.kh * g.kw;
    int64_t plen = 0, glen = 0;
    float *packed = NULL;
    for (int64_t gi = 0; gi < group; gi++) {
        float *p = pack_rows((const float *)w->data + gi * mg * kg, mg, kg, &glen);
        if (!p) return -1;
        if (!packed) {
            packed = calloc((size_t)(glen * group), sizeof(float));
            if (!packed) return -1;
        }
        memcpy(packed + gi * glen, p, (size_t)glen * sizeof(float));
        free(p);
        plen += glen;
    }
    bool pw = conv_is_pointwise(&g);
    Kernel *k = kernel_begin(e, "conv_gemm");
    kernel_geom(k, &g);
    kernel_int(k, "CIN", g.c);
    kernel_int(k, "COUT", cout);
    kernel_int(k, "GROUPS", group);
    kernel_int(k, "POINTWISE", pw);
    kernel_int(k, "HAS_BIAS", b != NULL);
    kernel_epilogue(k, &n->epi);
    const char *fn = kernel_end(e, k);
    const char *wexpr = emit_packed_weights(e, packed, plen, w->name, "packed in 12-row panels");
    emit_conv_call(e, n, fn, wexpr,
                   pw ? NULL : emit_scratch(e, "float", scratch_conv(n, emit_options(e))));
    return 0;
}

/* ---------------------------------------------------------------- Gemm / MatMul */

int infer_gemm(Graph *gr, Node *n) {
    (void)gr;
    if (!need_inputs(n, 2, 3)) return -1;
    Tensor *a = n->inputs[0], *b = n->inputs[1], *c = node_input(n, 2);
    if (!need_dtype_float(n, a, "A") || !need_dtype_float(n, b, "B")) return -1;
    if (!need_rank(n, a, "A", 2) || !need_rank(n, b, "B", 2)) return -1;
    bool ta = attr_int(n, "transA", 0), tb = attr_int(n, "transB", 0);
    int64_t m = ta ? a->dims[1] : a->dims[0], k = ta ? a->dims[0] : a->dims[1];
    int64_t kb = tb ? b->dims[1] : b->dims[0], nn = tb ? b->dims[0] : b->dims[1];
    if (k != kb) {
        error_at_node(n, "inner dimensions differ: A gives K=%lld, B gives K=%lld", (long long)k,
                      (long long)kb);
        return -1;
    }
    int64_t dims[2] = {m, nn};
    if (c) {
        Tensor y = {.rank = 2, .dims = {m, nn}, .name = "A*B"};
        int r;
        int64_t bd[MAX_RANK];
        if (!broadcast_shape(n, &y, c, &r, bd) || r != 2 || bd[0] != m || bd[1] != nn) {
            if (r == 2 && (bd[0] != m || bd[1] != nn))
                error_at_node(n, "C '%s' does not broadcast to [%lldx%lld]", c->name, (long long)m,
                              (long long)nn);
            return -1;
        }
    }
    set_out(n, 0, DT_FLOAT, 2, dims);
    return 0;
}

/* Packs alpha * op(B) as [K, N] into nrp-column panels. */
static float *pack_cols(const float *b, bool tb, int64_t k, int64_t nn, float alpha, int nrp,
                        int64_t *len) {
    int64_t panels = (nn + nrp - 1) / nrp;
    *len = panels * k * nrp;
    float *p = calloc((size_t)*len, sizeof(float));
    if (!p) return NULL;
    for (int64_t kk = 0; kk < k; kk++)
        for (int64_t j = 0; j < nn; j++) {
            float v = tb ? b[j * k + kk] : b[kk * nn + j];
            /* 32-column panels as two K x 16 halves (gemm_packed.m4). */
            int64_t h = nrp == 32 ? j % 32 / 16 : 0, w = nrp == 32 ? 16 : nrp;
            p[(j / nrp) * k * nrp + h * k * 16 + kk * w + j % w] = alpha * v;
        }
    return p;
}

/* Calls a GEMM kernel of signature (x, w, bias, residual, y): the packed
   one, or cblas_sgemm's wrapper (blas.c). */
void emit_gemm_call(Emit *e, Node *n, const char *fn, Tensor *x, const char *wexpr,
                    const char *bexpr) {
    if (n->epi.residual)
        emit_stmt(e, "%s(%C, %s, %s, %C, %T);", fn, x, wexpr, bexpr, n->epi.residual,
                  n->outputs[0]);
    else
        emit_stmt(e, "%s(%C, %s, %s, 0, %T);", fn, x, wexpr, bexpr, n->outputs[0]);
}

/* The fast path: Y[M,N] = X[M,K] * Bpacked + bias[N], epilogue. */
static int emit_gemm_packed(Emit *e, Node *n, Tensor *x, int64_t m, int64_t k, int64_t nn,
                            const float *bw, bool tb, float alpha, const float *bias) {
    if (blas_wants(e, m, k, nn)) return emit_gemm_blas(e, n, x, m, k, nn, bw, tb, alpha, bias);
    int64_t len = 0;
    int nrp = m == 1 && nn <= 16 ? 16 : NRP;
    float *packed = pack_cols(bw, tb, k, nn, alpha, nrp, &len);
    char layout[64];
    snprintf(layout, sizeof layout, "packed in %s",
             nrp == 32 ? "32-column panels of two 16-column halves" : "16-column panels");
    const char *wexpr = emit_packed_weights(e, packed, len, n->inputs[1]->name, layout);
    if (!wexpr) return -1;
    const char *bexpr = bias ? emit_const_array(e, DT_FLOAT, bias, nn, "bias") : "0";
    Kernel *kr = kernel_begin(e, "gemm_packed");
    kernel_int(kr, "M", m);
    kernel_int(kr, "N", nn);
    kernel_int(kr, "K", k);
    kernel_int(kr, "PW", nrp);
    kernel_int(kr, "HAS_BIAS", bias != NULL);
    kernel_epilogue(kr, &n->epi);
    emit_gemm_call(e, n, kernel_end(e, kr), x, wexpr, bexpr);
    return 0;
}

/* The general path: any operand at run time, transposes, C broadcast. */
static int emit_gemm_ref(Emit *e, Node *n) {
    Tensor *a = n->inputs[0], *b = n->inputs[1], *c = node_input(n, 2), *y = n->outputs[0];
    bool ta = attr_int(n, "transA", 0), tb = attr_int(n, "transB", 0);
    int64_t m = y->dims[0], nn = y->dims[1], k = ta ? a->dims[0] : a->dims[1];
    int64_t cs[2] = {0, 0};
    if (c) broadcast_strides(c, 2, y->dims, cs);
    Kernel *kr = kernel_begin(e, "gemm_ref");
    kernel_int(kr, "M", m);
    kernel_int(kr, "N", nn);
    kernel_int(kr, "K", k);
    kernel_int(kr, "SAM", ta ? 1 : k);
    kernel_int(kr, "SAK", ta ? m : 1);
    kernel_int(kr, "SBK", tb ? 1 : nn);
    kernel_int(kr, "SBN", tb ? k : 1);
    kernel_int(kr, "SCM", cs[0]);
    kernel_int(kr, "SCN", cs[1]);
    kernel_int(kr, "HAS_C", c != NULL);
    kernel_float(kr, "ALPHA", attr_float(n, "alpha", 1.0f));
    kernel_float(kr, "BETA", attr_float(n, "beta", 1.0f));
    kernel_epilogue(kr, &n->epi);
    const char *fn = kernel_end(e, kr);
    if (c && n->epi.residual)
        emit_stmt(e, "%s(%C, %C, %C, %C, %T);", fn, a, b, c, n->epi.residual, y);
    else if (c)
        emit_stmt(e, "%s(%C, %C, %C, 0, %T);", fn, a, b, c, y);
    else if (n->epi.residual)
        emit_stmt(e, "%s(%C, %C, 0, %C, %T);", fn, a, b, n->epi.residual, y);
    else
        emit_stmt(e, "%s(%C, %C, 0, 0, %T);", fn, a, b, y);
    return 0;
}

/* Bias vector beta*C when C is a constant that broadcasts along rows. */
static float *row_bias(Tensor *c, int64_t nn, float beta) {
    if (!c || !c->data) return NULL;
    int64_t ne = tensor_numel(c);
    bool row = (c->rank == 1 && (c->dims[0] == nn || c->dims[0] == 1)) ||
               (c->rank == 2 && c->dims[0] == 1) || ne == 1;
    if (!row) return NULL;
    float *bias = malloc((size_t)nn * sizeof(float));
    if (!bias) return NULL;
    for (int64_t j = 0; j < nn; j++)
        bias[j] = beta * ((float *)c->data)[ne == 1 ? 0 : j];
    return bias;
}

int emit_gemm(Emit *e, Node *n) {
    Tensor *a = n->inputs[0], *b = n->inputs[1], *c = node_input(n, 2), *y = n->outputs[0];
    bool ta = attr_int(n, "transA", 0), tb = attr_int(n, "transB", 0);
    float alpha = attr_float(n, "alpha", 1.0f), beta = attr_float(n, "beta", 1.0f);
    int64_t k = ta ? a->dims[0] : a->dims[1];
    float *bias = row_bias(c, y->dims[1], beta);
    bool fast = emit_options(e)->opt_level > 0 && !ta && b->data && (!c || bias);
    int rc = fast ? emit_gemm_packed(e, n, a, y->dims[0], k, y->dims[1], b->data, tb, alpha, bias)
                  : emit_gemm_ref(e, n);
    free(bias);
    return rc;
}

int infer_matmul(Graph *gr, Node *n) {
    (void)gr;
    if (!need_inputs(n, 2, 2)) return -1;
    Tensor *a = n->inputs[0], *b = n->inputs[1];
    if (!need_dtype_float(n, a, "A") || !need_dtype_float(n, b, "B")) return -1;
    if (a->rank < 1 || b->rank < 1) {
        error_at_node(n, "MatMul inputs must have rank >= 1");
        return -1;
    }
    /* Promote 1-D operands as numpy does, then broadcast the batch dims. */
    Tensor ta = {.name = a->name, .rank = a->rank}, tb = {.name = b->name, .rank = b->rank};
    memcpy(ta.dims, a->dims, sizeof a->dims);
    memcpy(tb.dims, b->dims, sizeof b->dims);
    if (a->rank == 1) ta.rank = 2, ta.dims[0] = 1, ta.dims[1] = a->dims[0];
    if (b->rank == 1) tb.rank = 2, tb.dims[1] = 1;
    int64_t m = ta.dims[ta.rank - 2], k = ta.dims[ta.rank - 1];
    int64_t kb = tb.dims[tb.rank - 2], nn = tb.dims[tb.rank - 1];
    if (k != kb) {
        error_at_node(n, "inner dimensions differ: '%s' has K=%lld, '%s' has K=%lld", a->name,
                      (long long)k, b->name, (long long)kb);
        return -1;
    }
    Tensor ba = ta, bb = tb;
    ba.rank -= 2;
    bb.rank -= 2;
    int64_t dims[MAX_RANK];
    int r;
    if (!broadcast_shape(n, &ba, &bb, &r, dims)) return -1;
    if (r + 2 > MAX_RANK) {
        error_at_node(n, "result rank is too large");
        return -1;
    }
    int rank = r;
    if (a->rank > 1) dims[rank++] = m;
    if (b->rank > 1) dims[rank++] = nn;
    set_out(n, 0, DT_FLOAT, rank, dims);
    return 0;
}

int emit_matmul(Emit *e, Node *n) {
    Tensor *a = n->inputs[0], *b = n->inputs[1], *y = n->outputs[0];
    int64_t k = a->dims[a->rank - 1];
    /* Constant 2-D B: every row of A (all batch dims flattened) times B. */
    if (emit_options(e)->opt_level > 0 && b->data && b->rank == 2 && a->rank >= 2) {
        int64_t m = tensor_numel(a) / k;
        return emit_gemm_packed(e, n, a, m, k, b->dims[1], b->data, false, 1.0f, n->epi.bias);
    }
    /* pass_fuse_bias gives a bias only to the MatMuls above. */
    if (n->epi.bias) {
        error_at_node(n, "internal: a fused bias on a MatMul without constant 2-D weights");
        return -1;
    }
    /* General batched product: batch strides from broadcasting. */
    Tensor ta = *a, tb = *b;
    if (a->rank == 1) ta.rank = 2, ta.dims[0] = 1, ta.dims[1] = a->dims[0];
    if (b->rank == 1) tb.rank = 2, tb.dims[1] = 1;
    int64_t m = ta.dims[ta.rank - 2], nn = tb.dims[tb.rank - 1];
    Tensor ba = ta, bb = tb;
    ba.rank -= 2;
    bb.rank -= 2;
    int64_t bd[MAX_RANK], sa[MAX_RANK], sb[MAX_RANK];
    int r;
    if (!broadcast_shape(n, &ba, &bb, &r, bd)) return -1;
    broadcast_strides(&ba, r, bd, sa);
    broadcast_strides(&bb, r, bd, sb);
    int64_t batch = numel_of(r, bd);
    if (r == 0) bd[0] = 1, sa[0] = sb[0] = 0, r = 1;
    Kernel *kr = kernel_begin(e, "matmul_ref");
    kernel_int(kr, "M", m);
    kernel_int(kr, "N", nn);
    kernel_int(kr, "K", k);
    kernel_int(kr, "BATCH", batch);
    kernel_int(kr, "BRANK", r);
    kernel_ints(kr, "BDIMS", bd, r);
    kernel_ints(kr, "BSA", sa, r);
    kernel_ints(kr, "BSB", sb, r);
    kernel_epilogue(kr, &n->epi);
    const char *fn = kernel_end(e, kr);
    if (n->epi.residual)
        emit_stmt(e, "%s(%C, %C, %C, %T);", fn, a, b, n->epi.residual, y);
    else
        emit_stmt(e, "%s(%C, %C, 0, %T);", fn, a, b, y);
    return 0;
}

/* ---------------------------------------------------------------- BatchNormalization */

/* BatchNormalization's shapes are checked in batchnorm.c (all modes). */

/* scale' = scale / sqrt(var + eps), shift' = B - mean * scale'. */
void batchnorm_affine(const Node *n, float *scale, float *shift) {
    float eps = attr_float(n, "epsilon", 1e-5f);
    const float *s = n->inputs[1]->data, *b = n->inputs[2]->data, *m = n->inputs[3]->data,
                *v = n->inputs[4]->data;
    for (int64_t c = 0; c < n->inputs[1]->dims[0]; c++) {
        double sc = (double)s[c] / sqrt((double)v[c] + (double)eps);
        scale[c] = (float)sc;
        shift[c] = (float)((double)b[c] - (double)m[c] * sc);
    }
}

int emit_batchnorm(Emit *e, Node *n) {
    for (int i = 1; i < 5; i++)
        if (!need_const_weight(n, n->inputs[i], "parameter")) return -1;
    Tensor *x = n->inputs[0];
    int64_t c = x->dims[1];
    float *sc = malloc((size_t)c * 4), *sh = malloc((size_t)c * 4);
    if (!sc || !sh) return -1;
    batchnorm_affine(n, sc, sh);
    const char *se = emit_const_array(e, DT_FLOAT, sc, c, "batchnorm scale");
    const char *te = emit_const_array(e, DT_FLOAT, sh, c, "batchnorm shift");
    free(sc);
    free(sh);
    Kernel *k = kernel_begin(e, "channel_affine");
    kernel_int(k, "NB", x->dims[0]);
    kernel_int(k, "C", c);
    kernel_int(k, "INNER", tensor_numel(x) / (x->dims[0] * c));
    const char *fn = kernel_end(e, k);
    emit_stmt(e, "%s(%C, %s, %s, %T);", fn, x, se, te, n->outputs[0]);
    return 0;
}

/* ---------------------------------------------------------------- pooling */

static bool pool_geom(Node *n, Geom *g) {
    bool ceil_mode = attr_int(n, "ceil_mode", 0) != 0;
    if (!geom_init(n, n->inputs[0], NULL, ceil_mode, g)) return false;
    if (strcmp(n->op_type, "AveragePool") == 0 && (g->dh != 1 || g->dw != 1)) {
        error_at_node(n, "AveragePool with dilations is not supported");
        return false;
    }
    return true;
}

int infer_pool(Graph *gr, Node *n) {
    (void)gr;
    if (!need_inputs(n, 1, 1)) return -1;
    Tensor *x = n->inputs[0];
    if (!need_dtype_float(n, x, "input")) return -1;
    Geom g;
    if (!pool_geom(n, &g)) return -1;
    if (node_output(n, 1)) {
        error_at_node(n, "the Indices output of MaxPool is not supported");
        return -1;
    }
    if (attr_int(n, "storage_order", 0) != 0) {
        error_at_node(n, "storage_order=1 is not supported");
        return -1;
    }
    int64_t dims[4];
    geom_out_dims(&g, g.c, dims);
    set_out(n, 0, DT_FLOAT, x->rank, dims);
    return 0;
}

int emit_pool(Emit *e, Node *n) {
    Geom g;
    if (!pool_geom(n, &g)) return -1;
    bool is_max = n->op_type[0] == 'M';
    Kernel *k = kernel_begin(e, is_max ? "maxpool" : "avgpool");
    kernel_geom(k, &g);
    kernel_int(k, "C", g.c);
    if (!is_max) kernel_int(k, "COUNT_PAD", attr_int(n, "count_include_pad", 0));
    const char *fn = kernel_end(e, k);
    emit_stmt(e, "%s(%C, %T);", fn, n->inputs[0], n->outputs[0]);
    return 0;
}

int infer_global_pool(Graph *gr, Node *n) {
    (void)gr;
    if (!need_inputs(n, 1, 1)) return -1;
    Tensor *x = n->inputs[0];
    if (!need_dtype_float(n, x, "input")) return -1;
    if (x->rank < 3) {
        error_at_node(n, "input '%s' must have rank >= 3", x->name);
        return -1;
    }
    int64_t dims[MAX_RANK];
    for (int i = 0; i < x->rank; i++)
        dims[i] = i < 2 ? x->dims[i] : 1;
    set_out(n, 0, DT_FLOAT, x->rank, dims);
    return 0;
}

int emit_global_pool(Emit *e, Node *n) {
    Tensor *x = n->inputs[0];
    Kernel *k = kernel_begin(e, "global_pool");
    kernel_str(k, "KIND", strcmp(n->op_type, "GlobalMaxPool") == 0 ? "max" : "avg");
    kernel_int(k, "ROWS", x->dims[0] * x->dims[1]);
    kernel_int(k, "INNER", tensor_numel(x) / (x->dims[0] * x->dims[1]));
    const char *fn = kernel_end(e, k);
    emit_stmt(e, "%s(%C, %T);", fn, x, n->outputs[0]);
    return 0;
}

/* ---------------------------------------------------------------- Softmax */

/* Softmax takes float only (its vector kernel); the axis rules are the
   whole family's. */
int infer_softmax(Graph *gr, Node *n) {
    if (!need_inputs(n, 1, 1) || !need_dtype_float(n, n->inputs[0], "input")) return -1;
    return infer_softmax_like(gr, n);
}

int emit_softmax(Emit *e, Node *n) {
    Tensor *x = n->inputs[0];
    int64_t outer, dim, inner;
    split_axis(x, softmax_axis(n), n->opset < 13, &outer, &dim, &inner);
    Kernel *k = kernel_begin(e, "softmax");
    kernel_int(k, "OUTER", outer);
    kernel_int(k, "DIM", dim);
    kernel_int(k, "INNER", inner);
    const char *fn = kernel_end(e, k);
    emit_stmt(e, "%s(%C, %T);", fn, x, n->outputs[0]);
    return 0;
}
