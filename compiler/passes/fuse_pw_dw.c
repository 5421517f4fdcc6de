/*
 * fuse_pw_dw.c - an expansion 1x1 convolution whose output only a depthwise
 * convolution reads (MobileNet's inverted residual blocks) becomes one
 * ConvPwDw node (ops/conv_fused.c, templates/conv_pw_dw.m4): the expanded
 * tensor is computed a band of rows at a time into scratch that stays in
 * cache and convolved from there, instead of being written to memory whole
 * and read back.
 *
 * Conditions: the 1x1 conv is stride 1, unpadded, group 1, with constant
 * weights and bias and no residual; its output is not a graph output and
 * has that one reader; the depthwise conv (group == channels, one filter
 * per channel) has constant weights and bias, no residual, dilations 1,
 * stride 1 or 2 across, pads smaller than its kernel (at most 7x7) and an
 * activation with a vector form (not Sigmoid/Tanh). Both activations are
 * already fused into the convs (this pass runs after fuse-activation).
 *
 * Only expanded tensors of at least MIN_EXPANDED_BYTES (1 MB, one core's
 * L2) are fused. Measured in mobilenet_v2 (bench/prof/layertime.py, per
 * layer min of 6 interleaved runs of 50, µs, 2-core Xeon @2.5GHz shared with
 * other jobs), unfused expand + dw vs fused:
 *     features.2  16->96 @112 s2 (4.8 MB)   678 + 980 = 1658   786
 *     features.3  24->144 @56 s1 (1.8 MB)   321 + 375 =  696   605
 *     features.4  24->144 @56 s2 (1.8 MB)   318 + 167 =  485   403
 *     features.5  32->192 @28 s1 (602 KB)    92 +  90 =  182   190
 *     features.7  32->192 @28 s2 (602 KB)    92 +  42 =  134   121
 *     features.8  64->384 @14 s1 (301 KB)   105 +  44 =  149   214
 *     features.12 96->576 @14 s1 (452 KB)   254 +  70 =  324   372
 *     features.15 160->960 @7 s1 (188 KB)   219 +  57 =  276   299
 * Absorbing the block's projection 1x1 conv as well (the depthwise output
 * of a band kept in L2 and projected from there) measured slower: the
 * projections are compute-bound, and the bands it needs are shorter, so
 * more halo rows are recomputed. features.2-4 with their projections,
 * sum of per-call minimums over 5 rounds: 1481 us as two kernels each,
 * 1519 fused with a 256 KB band budget, 1608 with 1 MB.
 * Below 1 MB the expanded tensor stays in L2 between the two kernels and
 * the results go either way within the noise; whole-model runs fusing all
 * 16 pairs, the 28x28 ones too, or only these three were within noise of
 * each other.
 */
#include "passes.h"

#include <string.h>

enum { MIN_EXPANDED_BYTES = 1 << 20 };

static bool is_conv(const Node *n) {
    return n && !n->dead && !*n->domain && strcmp(n->op_type, "Conv") == 0 &&
           n->inputs[0]->rank == 4 && n->inputs[0]->dtype == DT_FLOAT;
}

static bool const_params(const Node *n) {
    const Tensor *w = n->inputs[1], *b = node_input((Node *)n, 2);
    return w->data && w->dtype == DT_FLOAT && (!b || (b->data && b->dtype == DT_FLOAT));
}

static bool pointwise_ok(Node *p) {
    Geom g;
    int64_t group;
    if (!is_conv(p) || !const_params(p) || p->epi.residual || !conv_geom(p, &g, &group))
        return false;
    return group == 1 && conv_is_pointwise(&g);
}

static bool depthwise_ok(Node *d) {
    Geom g;
    int64_t group;
    if (!is_conv(d) || !const_params(d) || d->epi.residual || !conv_geom(d, &g, &group))
        return false;
    if (d->epi.act == ACT_SIGMOID || d->epi.act == ACT_TANH) return false;
    return group == g.c && d->inputs[1]->dims[0] == g.c && g.dh == 1 && g.dw == 1 &&
           (g.sw == 1 || g.sw == 2) && g.kh <= 7 && g.kw <= 7 && g.pt < g.kh && g.pb < g.kh &&
           g.pl < g.kw && g.pr < g.kw;
}

static void fuse(Graph *g, Node *p, Node *d) {
    Node *f = graph_add_node(g, "ConvPwDw", d->name, 5, 1);
    f->domain = "mlegen";
    f->op = &op_conv_pw_dw;
    f->opset = d->opset;
    f->inputs[0] = p->inputs[0];
    f->inputs[1] = p->inputs[1];
    f->inputs[2] = node_input(p, 2);
    f->inputs[3] = d->inputs[1];
    f->inputs[4] = node_input(d, 2);
    f->outputs[0] = d->outputs[0];
    f->outputs[0]->producer = f;
    f->nattrs = d->nattrs + 3;
    f->attrs = pool_alloc(g->pool, (size_t)f->nattrs * sizeof(Attr));
    memcpy(f->attrs, d->attrs, (size_t)d->nattrs * sizeof(Attr));
    f->attrs[d->nattrs] = (Attr){.name = "pw_act", .type = ATTR_INT, .i = p->epi.act};
    f->attrs[d->nattrs + 1] = (Attr){.name = "pw_alpha", .type = ATTR_FLOAT, .f = p->epi.alpha};
    f->attrs[d->nattrs + 2] = (Attr){.name = "pw_beta", .type = ATTR_FLOAT, .f = p->epi.beta};
    f->epi = d->epi;
    p->dead = d->dead = true;
    note_fused(g, f, p);
    note_fused(g, f, d);
}

static bool try_fuse(Graph *g, Node *p) {
    if (!pointwise_ok(p)) return false;
    Tensor *ex = p->outputs[0];
    Node *d = single_user(g, ex);
    if (!d || d->inputs[0] != ex || !depthwise_ok(d)) return false;
    if (tensor_bytes(ex) < MIN_EXPANDED_BYTES) return false;
    fuse(g, p, d);
    return true;
}

int pass_fuse_pw_dw(Graph *g, const Options *opt) {
    (void)opt;
    return rewrite_nodes(g, try_fuse);
}
