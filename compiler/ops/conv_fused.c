/*
 * conv_fused.c - the private op ConvPwDw: an expansion 1x1 convolution and
 * the depthwise convolution that alone reads its output, as one banded
 * kernel (templates/conv_pw_dw.m4). passes/fuse_pw_dw.c builds the node;
 * models cannot name the op (it is not in the public table of ops.c).
 *
 * Node: inputs x, W1 [CE, CIN, 1, 1], B1 (or none), W2 [CE, 1, KH, KW],
 * B2 (or none); the depthwise conv's attributes plus pw_act, pw_alpha,
 * pw_beta (the expansion's fused activation); epi is the depthwise conv's.
 */
#include "ops.h"

enum { SCRATCH_BUDGET = 512 * 1024 };

/* The depthwise conv's geometry: a view of the node with the expanded
   tensor [N, CE, H, W] as input 0 and W2 as the weight. */
static bool pw_dw_geom(const Node *n, Geom *g) {
    Tensor *x = n->inputs[0], *w1 = n->inputs[1];
    Tensor ex = *x;
    ex.dims[1] = w1->dims[0];
    Tensor *ins[3] = {&ex, n->inputs[3], n->inputs[4]};
    Node v = *n;
    v.inputs = ins;
    v.ninputs = 3;
    int64_t group;
    return conv_geom(&v, g, &group);
}

/* Band geometry: gp panels of 12 expanded channels at a time, bands of br
   output rows, which need (br - 1) * SH + KH expanded rows each (KH - SH of
   them recomputed by the next band), as many as fit SCRATCH_BUDGET, then
   evened out. Two panels: the x band is read once per group, and a group's
   planes are still small enough to stay in L2 next to x and y.
   Measured (2-core Xeon @2.5GHz, AVX-512, shared with other jobs; min of 4
   interleaved rounds of 100 runs, µs; /tmp-style block models of one
   expand+Clip+dw+Clip pair; the budget picks br):
                         budget 128K  256K  512K  1M    unfused
     16->96 @112, s2             719   678   661   670   1088
     24->144 @56, s1             436   416   406   401    466
     24->144 @56, s2             320   304   295   297    357
   and with a fixed br, gp (f3 = 24->144 @56 s1, 2 rounds): br 8: gp 1/2/4
   = 452/386/342; br 28: 340/325/322: fewer, taller bands and two or more
   panels win; past 512K nothing changes. */
static void pw_dw_blocking(const Geom *g, int64_t ce, int64_t *br, int64_t *gp) {
    int64_t panels = (ce + 11) / 12;
    *gp = panels < 2 ? panels : 2;
    int64_t bri = SCRATCH_BUDGET / (*gp * 12 * g->w * 4);
    *br = bri < g->kh ? 1 : (bri - g->kh) / g->sh + 1;
    if (*br > g->oh) *br = g->oh;
    int64_t bands = (g->oh + *br - 1) / *br;
    *br = (g->oh + bands - 1) / bands; /* even bands */
}

static int64_t pw_dw_scratch_floats(const Geom *g, int64_t ce) {
    int64_t br, gp;
    pw_dw_blocking(g, ce, &br, &gp);
    int64_t bri = (br - 1) * g->sh + g->kh;
    /* GUARD, zero row, GUARD, planes, GUARD (templates/conv_pw_dw.m4) */
    return 64 + (g->w + 15) / 16 * 16 + 64 + gp * 12 * bri * g->w + 64;
}

static int64_t scratch_pw_dw(const Node *n, const Options *opt) {
    (void)opt;
    Geom g;
    if (!pw_dw_geom(n, &g)) return 0;
    return pw_dw_scratch_floats(&g, n->inputs[1]->dims[0]) * 4;
}

static int infer_pw_dw(Graph *gr, Node *n) {
    (void)gr;
    Geom g;
    if (!pw_dw_geom(n, &g)) return -1;
    int64_t dims[4] = {g.n, n->inputs[1]->dims[0], g.oh, g.ow};
    set_out(n, 0, DT_FLOAT, 4, dims);
    return 0;
}

static const char *bias_expr(Emit *e, const Tensor *b) {
    return b ? emit_const_array(e, DT_FLOAT, b->data, tensor_numel(b), b->name) : "0";
}

static int emit_pw_dw(Emit *e, Node *n) {
    Tensor *x = n->inputs[0], *w1 = n->inputs[1], *b1 = n->inputs[2], *w2 = n->inputs[3],
           *b2 = n->inputs[4];
    Geom g;
    if (!pw_dw_geom(n, &g)) return -1;
    int64_t cin = x->dims[1], ce = w1->dims[0], br, gp, plen = 0;
    pw_dw_blocking(&g, ce, &br, &gp);
    Kernel *k = kernel_begin(e, "conv_pw_dw");
    kernel_geom(k, &g);
    kernel_int(k, "CIN", cin);
    kernel_int(k, "CE", ce);
    kernel_int(k, "BR", br);
    kernel_int(k, "GP", gp);
    kernel_int(k, "HAS_B1", b1 != NULL);
    kernel_int(k, "HAS_B2", b2 != NULL);
    kernel_str(k, "PACT", act_name((ActKind)attr_int(n, "pw_act", ACT_NONE)));
    kernel_float(k, "PACT_ALPHA", attr_float(n, "pw_alpha", 0.0f));
    kernel_float(k, "PACT_BETA", attr_float(n, "pw_beta", 0.0f));
    kernel_epilogue(k, &n->epi);
    const char *fn = kernel_end(e, k);
    float *packed = pack_rows((const float *)w1->data, ce, cin, &plen);
    const char *w1e = emit_packed_weights(e, packed, plen, w1->name, "packed in 12-row panels");
    if (!w1e) return -1;
    const char *b1e = bias_expr(e, b1);
    const char *w2e = emit_const_array(e, DT_FLOAT, w2->data, tensor_numel(w2), w2->name);
    const char *b2e = bias_expr(e, b2);
    const char *se = emit_scratch(e, "float", scratch_pw_dw(n, emit_options(e)));
    emit_stmt(e, "%s(%C, %s, %s, %s, %s, %T, %s);", fn, x, w1e, b1e, w2e, b2e, n->outputs[0], se);
    return 0;
}

const OpDef op_conv_pw_dw = {
    .name = "ConvPwDw",
    .domain = "mlegen",
    .min_opset = 1,
    .infer = infer_pw_dw,
    .emit = emit_pw_dw,
    .types = "float",
    .scratch = scratch_pw_dw,
};
