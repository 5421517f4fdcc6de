/*
 * convtranspose.c - ConvTranspose, the integer convolutions ConvInteger and
 * QLinearConv, and the pooling variants nn.c does not cover (MaxPool with
 * Indices, 3-D or non-float MaxPool, LpPool, GlobalLpPool), with 1 to 3
 * spatial dimensions.
 *
 * A small geometry reader (SpGeom) turns kernel_shape/strides/dilations/
 * pads/auto_pad into per-axis numbers for up to 3 spatial axes; fewer axes
 * are padded with leading size-1 axes, so one 3-D template serves 1-D, 2-D
 * and 3-D. Weights, zero points and scales are read at run time through
 * pointers (in the node tests they are graph inputs), so only shapes must
 * be static. These are direct (scalar) loops: the float Conv fast paths
 * live in nn.c.
 */
#include "ops.h"

#include <string.h>

typedef struct SpGeom {
    int nsp;                         /* real spatial rank, 1..3 */
    int64_t in[3], k[3], s[3], d[3]; /* padded to 3 axes (leading 1s) */
    int64_t pb[3], pe[3];            /* pads at the beginning / end */
    int64_t out[3];
} SpGeom;

/* Reads an INTS attribute of nsp entries into the last nsp of 3 slots. */
static bool sp_attr(Node *n, const char *name, int nsp, int64_t dflt, int64_t *v) {
    int64_t buf[6];
    for (int i = 0; i < 3; i++)
        v[i] = dflt;
    int c = attr_ints(n, name, buf, 6);
    if (c < 0) return true;
    if (c != nsp) {
        error_at_node(n, "%s has %d entries for %d spatial dimensions", name, c, nsp);
        return false;
    }
    for (int i = 0; i < nsp; i++) {
        if (buf[i] <= 0 || buf[i] > (1 << 20)) {
            error_at_node(n, "%s entry %d must be in 1..%d", name, i, 1 << 20);
            return false;
        }
        v[3 - nsp + i] = buf[i];
    }
    return true;
}

/* Common part: spatial sizes, kernel (from the weight's shape), strides,
   dilations and explicit pads. */
static bool sp_init(Node *n, const Tensor *x, const Tensor *w, SpGeom *g) {
    memset(g, 0, sizeof *g);
    g->nsp = x->rank - 2;
    if (g->nsp < 1 || g->nsp > 3 || w->rank != x->rank) {
        error_at_node(n, "needs 3-D to 5-D input and weight of the same rank ('%s' has rank %d)",
                      x->name, x->rank);
        return false;
    }
    int o = 3 - g->nsp;
    for (int i = 0; i < 3; i++)
        g->in[i] = i < o ? 1 : x->dims[2 + i - o], g->k[i] = i < o ? 1 : w->dims[2 + i - o];
    int64_t ks[3];
    if (!sp_attr(n, "kernel_shape", g->nsp, 1, ks) || !sp_attr(n, "strides", g->nsp, 1, g->s) ||
        !sp_attr(n, "dilations", g->nsp, 1, g->d))
        return false;
    if (node_attr(n, "kernel_shape"))
        for (int i = o; i < 3; i++)
            if (ks[i] != g->k[i]) {
                error_at_node(n, "kernel_shape does not match the weight's shape");
                return false;
            }
    int64_t pads[6];
    int np = attr_ints(n, "pads", pads, 6);
    if (np >= 0 && np != 2 * g->nsp) {
        error_at_node(n, "pads has %d entries for %d spatial dimensions", np, g->nsp);
        return false;
    }
    for (int i = 0; i < g->nsp && np > 0; i++) {
        if (pads[i] < 0 || pads[g->nsp + i] < 0 || pads[i] > (1 << 20) ||
            pads[g->nsp + i] > (1 << 20)) {
            error_at_node(n, "pads must be in 0..%d", 1 << 20);
            return false;
        }
        g->pb[o + i] = pads[i], g->pe[o + i] = pads[g->nsp + i];
    }
    return true;
}

/* Pads from auto_pad and output sizes of a forward window (convolution or
   pooling) over g's sizes. With ceil_mode a last partial window counts if it
   starts inside the input or its leading padding. `what` names the window
   in the error ("kernel", "window"). */
static bool sp_forward(Node *n, SpGeom *g, bool ceil_mode, const char *what) {
    const char *ap = attr_str(n, "auto_pad", "NOTSET");
    bool same = !strcmp(ap, "SAME_UPPER") || !strcmp(ap, "SAME_LOWER");
    for (int i = 0; i < 3; i++) {
        int64_t span = (g->k[i] - 1) * g->d[i] + 1;
        if (same) {
            int64_t o = (g->in[i] + g->s[i] - 1) / g->s[i];
            int64_t tot = (o - 1) * g->s[i] + span - g->in[i];
            if (tot < 0) tot = 0;
            g->pb[i] = !strcmp(ap, "SAME_UPPER") ? tot / 2 : tot - tot / 2;
            g->pe[i] = tot - g->pb[i];
        } else if (!strcmp(ap, "VALID")) {
            g->pb[i] = g->pe[i] = 0;
        }
        int64_t num = g->in[i] + g->pb[i] + g->pe[i] - span;
        if (num < 0) {
            error_at_node(n, "the %s is larger than the padded input", what);
            return false;
        }
        int64_t o = (ceil_mode ? (num + g->s[i] - 1) / g->s[i] : num / g->s[i]) + 1;
        if (ceil_mode && (o - 1) * g->s[i] >= g->in[i] + g->pb[i]) o--;
        g->out[i] = o;
    }
    return true;
}

/* Forward convolution output sizes (ConvInteger, QLinearConv). */
static bool sp_conv(Node *n, const Tensor *x, const Tensor *w, SpGeom *g) {
    return sp_init(n, x, w, g) && sp_forward(n, g, false, "kernel");
}

/* ConvTranspose output sizes: from output_shape (pads derived), auto_pad
   SAME (output = input * stride) or the explicit pads. */
static bool sp_convtranspose(Node *n, const Tensor *x, const Tensor *w, SpGeom *g) {
    if (!sp_init(n, x, w, g)) return false;
    int o = 3 - g->nsp;
    int64_t op[3], os[5];
    int64_t buf[6];
    int c = attr_ints(n, "output_padding", buf, 6);
    for (int i = 0; i < 3; i++)
        op[i] = 0;
    for (int i = 0; i < c && i < g->nsp; i++) {
        if (buf[i] < 0 || buf[i] > (1 << 20)) {
            error_at_node(n, "output_padding must be in 0..%d", 1 << 20);
            return false;
        }
        op[o + i] = buf[i];
    }
    int nos = attr_ints(n, "output_shape", os, 5);
    const char *ap = attr_str(n, "auto_pad", "NOTSET");
    bool same = !strcmp(ap, "SAME_UPPER") || !strcmp(ap, "SAME_LOWER");
    if (nos >= 0 && nos != g->nsp && nos != g->nsp + 2) {
        error_at_node(n, "output_shape has %d entries", nos);
        return false;
    }
    for (int i = 0; i < 3; i++) {
        int64_t span = (g->k[i] - 1) * g->d[i] + 1;
        int64_t full = g->s[i] * (g->in[i] - 1) + op[i] + span;
        int64_t want = -1;
        if (i >= o && nos > 0) want = os[nos - g->nsp + i - o];
        if (want > ((int64_t)1 << 31)) {
            error_at_node(n, "output_shape is too large");
            return false;
        }
        if (i >= o && want < 0 && same) want = g->in[i] * g->s[i];
        if (want >= 0) {
            /* A negative total (output_shape beyond the full result) pads
               zeros at the end; otherwise the spec's rule applies: SAME_LOWER
               puts the odd pad at the beginning, everything else at the end. */
            int64_t tot = full - want;
            g->pb[i] = tot < 0 ? 0 : !strcmp(ap, "SAME_LOWER") ? tot - tot / 2 : tot / 2;
            g->pe[i] = tot - g->pb[i];
            g->out[i] = want;
        } else {
            if (!strcmp(ap, "VALID")) g->pb[i] = g->pe[i] = 0;
            g->out[i] = full - g->pb[i] - g->pe[i];
        }
        if (g->out[i] <= 0) {
            error_at_node(n, "the output would be empty");
            return false;
        }
    }
    return true;
}

static void kernel_sp(Kernel *k, const SpGeom *g) {
    kernel_int(k, "ID", g->in[0]), kernel_int(k, "IH", g->in[1]), kernel_int(k, "IW", g->in[2]);
    kernel_int(k, "KD", g->k[0]), kernel_int(k, "KH", g->k[1]), kernel_int(k, "KW", g->k[2]);
    kernel_int(k, "SD", g->s[0]), kernel_int(k, "SH", g->s[1]), kernel_int(k, "SW", g->s[2]);
    kernel_int(k, "DD", g->d[0]), kernel_int(k, "DH", g->d[1]), kernel_int(k, "DW", g->d[2]);
    kernel_int(k, "PD", g->pb[0]), kernel_int(k, "PH", g->pb[1]), kernel_int(k, "PW", g->pb[2]);
    kernel_int(k, "OD", g->out[0]), kernel_int(k, "OH", g->out[1]), kernel_int(k, "OW", g->out[2]);
}

static void set_conv_out(Node *n, const Tensor *x, int64_t cout, const SpGeom *g, DType dt) {
    int64_t d[5] = {x->dims[0], cout};
    for (int i = 0; i < g->nsp; i++)
        d[2 + i] = g->out[3 - g->nsp + i];
    set_out(n, 0, dt, x->rank, d);
}

static bool check_group(Node *n, int64_t c, int64_t m, int64_t group) {
    if (group > 0 && c % group == 0 && m % group == 0) return true;
    error_at_node(n, "group %lld does not divide %lld input and %lld output channels",
                  (long long)group, (long long)c, (long long)m);
    return false;
}

/* ---------------------------------------------------------------- ConvTranspose */

int infer_convtranspose(Graph *g, Node *n) {
    (void)g;
    if (!need_inputs(n, 2, 3)) return -1;
    Tensor *x = n->inputs[0], *w = n->inputs[1], *b = node_input(n, 2);
    for (int i = 0; i < n->ninputs; i++)
        if (n->inputs[i] && !need_dtype_float(n, n->inputs[i], "input")) return -1;
    SpGeom sg;
    if (!sp_convtranspose(n, x, w, &sg)) return -1;
    int64_t group = attr_int(n, "group", 1), cout = w->dims[1] * group;
    if (w->dims[0] != x->dims[1] || !check_group(n, x->dims[1], cout, group)) {
        if (w->dims[0] != x->dims[1])
            error_at_node(n, "weight '%s' has %lld input channels, the input %lld", w->name,
                          (long long)w->dims[0], (long long)x->dims[1]);
        return -1;
    }
    if (b && tensor_numel(b) != cout) {
        error_at_node(n, "bias '%s' must have %lld values", b->name, (long long)cout);
        return -1;
    }
    set_conv_out(n, x, cout, &sg, x->dtype);
    return 0;
}

int emit_convtranspose(Emit *e, Node *n) {
    Tensor *x = n->inputs[0], *w = n->inputs[1], *b = node_input(n, 2), *y = n->outputs[0];
    SpGeom sg;
    sp_convtranspose(n, x, w, &sg);
    int64_t group = attr_int(n, "group", 1);
    Kernel *k = kernel_begin(e, "convtranspose");
    kernel_int(k, "NB", x->dims[0]);
    kernel_int(k, "CIN", x->dims[1]);
    kernel_int(k, "COUT", w->dims[1] * group);
    kernel_int(k, "GROUPS", group);
    kernel_sp(k, &sg);
    kernel_int(k, "HAS_BIAS", b != NULL);
    const char *fn = kernel_end(e, k);
    if (b)
        emit_stmt(e, "%s(%C, %C, %C, %T);", fn, x, w, b, y);
    else
        emit_stmt(e, "%s(%C, %C, 0, %T);", fn, x, w, y);
    return 0;
}

/* ---------------------------------------------------------------- ConvInteger, QLinearConv */

static bool need_8bit(Node *n, const Tensor *t, const char *what) {
    if (t->dtype == DT_UINT8 || t->dtype == DT_INT8) return true;
    error_at_node(n, "%s '%s' must be uint8 or int8, not %s", what, t->name, dtype_name(t->dtype));
    return false;
}

/* Input positions: ConvInteger (x, w, x_zp, w_zp); QLinearConv (x, x_scale,
   x_zp, w, w_scale, w_zp, y_scale, y_zp, B). */
static bool is_qlinear(const Node *n) {
    return strcmp(n->op_type, "QLinearConv") == 0;
}

int infer_conv_integer(Graph *g, Node *n) {
    (void)g;
    bool q = is_qlinear(n);
    if (!need_inputs(n, q ? 8 : 2, q ? 9 : 4)) return -1;
    Tensor *x = n->inputs[0], *w = n->inputs[q ? 3 : 1];
    if (!need_8bit(n, x, "input") || !need_8bit(n, w, "weight")) return -1;
    SpGeom sg;
    if (!sp_conv(n, x, w, &sg)) return -1;
    int64_t group = attr_int(n, "group", 1), cout = w->dims[0];
    if (w->dims[1] * group != x->dims[1] || !check_group(n, x->dims[1], cout, group)) {
        if (w->dims[1] * group != x->dims[1])
            error_at_node(n, "weight '%s' does not match the input channels", w->name);
        return -1;
    }
    Tensor *xzp = node_input(n, 2), *wzp = node_input(n, q ? 5 : 3);
    if ((xzp && tensor_numel(xzp) != 1) ||
        (wzp && tensor_numel(wzp) != 1 && tensor_numel(wzp) != cout)) {
        error_at_node(n, "zero points must be scalars (or per output channel for the weight)");
        return -1;
    }
    if (q) {
        Tensor *yzp = node_input(n, 7), *ws = n->inputs[4], *bias = node_input(n, 8);
        if (tensor_numel(ws) != 1 && tensor_numel(ws) != cout) {
            error_at_node(n, "w_scale must be a scalar or per output channel");
            return -1;
        }
        if (!need_dtype_float(n, n->inputs[1], "x_scale") || !need_dtype_float(n, ws, "w_scale") ||
            !need_dtype_float(n, n->inputs[6], "y_scale"))
            return -1;
        if (bias && (bias->dtype != DT_INT32 || tensor_numel(bias) != cout)) {
            error_at_node(n, "bias must be int32 with one value per output channel");
            return -1;
        }
        set_conv_out(n, x, cout, &sg, yzp ? yzp->dtype : DT_UINT8);
    } else {
        set_conv_out(n, x, cout, &sg, DT_INT32);
    }
    return 0;
}

int emit_conv_integer(Emit *e, Node *n) {
    bool q = is_qlinear(n);
    Tensor *x = n->inputs[0], *w = n->inputs[q ? 3 : 1], *y = n->outputs[0];
    Tensor *xzp = node_input(n, 2), *wzp = node_input(n, q ? 5 : 3);
    SpGeom sg;
    sp_conv(n, x, w, &sg);
    int64_t group = attr_int(n, "group", 1);
    Kernel *k = kernel_begin(e, "conv_integer");
    kernel_str(k, "TX", dtype_ctype(x->dtype));
    kernel_str(k, "TW", dtype_ctype(w->dtype));
    kernel_str(k, "TY", dtype_ctype(y->dtype));
    kernel_int(k, "NB", x->dims[0]);
    kernel_int(k, "CIN", x->dims[1]);
    kernel_int(k, "COUT", w->dims[0]);
    kernel_int(k, "GROUPS", group);
    kernel_sp(k, &sg);
    kernel_int(k, "HAS_XZP", xzp != NULL);
    kernel_int(k, "WZP_N", wzp ? tensor_numel(wzp) : 0);
    kernel_int(k, "QLINEAR", q);
    if (q) {
        Tensor *yzp = node_input(n, 7), *bias = node_input(n, 8);
        kernel_int(k, "WS_N", tensor_numel(n->inputs[4]));
        kernel_int(k, "HAS_YZP", yzp != NULL);
        kernel_int(k, "HAS_BIAS", bias != NULL);
        kernel_int(k, "QMIN", y->dtype == DT_INT8 ? -128 : 0);
        kernel_int(k, "QMAX", y->dtype == DT_INT8 ? 127 : 255);
        const char *fn = kernel_end(e, k);
        /* Absent zero points are stood in for by a tensor of their type (the
           kernel does not read them); an absent bias is a null pointer. */
        Tensor *xs = n->inputs[1], *ws = n->inputs[4], *ys = n->inputs[6];
        if (bias)
            emit_stmt(e, "%s(%C, %C, %C, %C, %C, %C, %C, %C, %C, %T);", fn, x, xs, xzp ? xzp : x, w,
                      ws, wzp ? wzp : w, ys, yzp ? yzp : y, bias, y);
        else
            emit_stmt(e, "%s(%C, %C, %C, %C, %C, %C, %C, %C, 0, %T);", fn, x, xs, xzp ? xzp : x, w,
                      ws, wzp ? wzp : w, ys, yzp ? yzp : y, y);
        return 0;
    }
    const char *fn = kernel_end(e, k);
    emit_stmt(e, "%s(%C, 0, %C, %C, 0, %C, 0, 0, 0, %T);", fn, x, xzp ? xzp : x, w, wzp ? wzp : w,
              y);
    return 0;
}

/* ---------------------------------------------------------------- pooling */

/* Pooling geometry: kernel_shape, strides, dilations, pads or auto_pad, and
   ceil_mode (a last window must start inside the input or its leading
   padding). */
static bool sp_pool(Node *n, const Tensor *x, SpGeom *g) {
    int64_t ks[6];
    int nk = attr_ints(n, "kernel_shape", ks, 6);
    if (nk != x->rank - 2) {
        error_at_node(n, "kernel_shape must have %d entries", x->rank - 2);
        return false;
    }
    Tensor w = {.rank = x->rank};
    for (int i = 0; i < nk; i++)
        w.dims[2 + i] = ks[i];
    return sp_init(n, x, &w, g) && sp_forward(n, g, attr_int(n, "ceil_mode", 0) != 0, "window");
}

/* MaxPool cases nn.c handles (float, 1-D/2-D, no Indices) stay there. */
static bool maxpool_is_basic(const Node *n) {
    const Tensor *x = n->inputs[0];
    return x->dtype == DT_FLOAT && (x->rank == 3 || x->rank == 4) && !node_output(n, 1) &&
           attr_int(n, "storage_order", 0) == 0;
}

int infer_maxpool(Graph *gr, Node *n) {
    if (!need_inputs(n, 1, 1)) return -1;
    if (maxpool_is_basic(n)) return infer_pool(gr, n);
    Tensor *x = n->inputs[0];
    SpGeom g;
    if (!dtype_ctype(x->dtype) || x->dtype == DT_STRING || x->dtype == DT_BOOL ||
        x->dtype == DT_FLOAT16 || x->dtype == DT_BFLOAT16) {
        error_at_node(n, "input type %s is not supported", dtype_name(x->dtype));
        return -1;
    }
    if (!sp_pool(n, x, &g)) return -1;
    set_conv_out(n, x, x->dims[1], &g, x->dtype);
    Tensor *y = n->outputs[0];
    set_out(n, 1, DT_INT64, y->rank, y->dims);
    return 0;
}

int emit_maxpool(Emit *e, Node *n) {
    if (maxpool_is_basic(n)) return emit_pool(e, n);
    Tensor *x = n->inputs[0], *y = n->outputs[0], *ix = node_output(n, 1);
    SpGeom g;
    sp_pool(n, x, &g);
    Kernel *k = kernel_begin(e, "pool_nd");
    kernel_str(k, "MODE", "max");
    kernel_str(k, "T", dtype_ctype(x->dtype));
    kernel_int(k, "PLANES", x->dims[0] * x->dims[1]);
    kernel_sp(k, &g);
    kernel_int(k, "COL_MAJOR", attr_int(n, "storage_order", 0) != 0);
    const char *fn = kernel_end(e, k);
    if (ix)
        emit_stmt(e, "%s(%C, %T, %T);", fn, x, y, ix);
    else
        emit_stmt(e, "%s(%C, %T, 0);", fn, x, y);
    return 0;
}

/* LpPool and GlobalLpPool: (sum |x|^p)^(1/p) over each window (padding adds
   nothing); the global form's window is the whole spatial extent. */
int infer_lppool(Graph *gr, Node *n) {
    (void)gr;
    if (!need_inputs(n, 1, 1)) return -1;
    Tensor *x = n->inputs[0];
    if (!need_dtype_float(n, x, "input")) return -1;
    if (strcmp(n->op_type, "GlobalLpPool") == 0) {
        if (x->rank < 3 || x->rank > 5) {
            error_at_node(n, "needs a 3-D to 5-D input");
            return -1;
        }
        int64_t d[5] = {x->dims[0], x->dims[1], 1, 1, 1};
        set_out(n, 0, x->dtype, x->rank, d);
        return 0;
    }
    SpGeom g;
    if (!sp_pool(n, x, &g)) return -1;
    set_conv_out(n, x, x->dims[1], &g, x->dtype);
    return 0;
}

int emit_lppool(Emit *e, Node *n) {
    Tensor *x = n->inputs[0], *y = n->outputs[0];
    SpGeom g;
    if (strcmp(n->op_type, "GlobalLpPool") == 0) {
        memset(&g, 0, sizeof g);
        g.nsp = x->rank - 2;
        for (int i = 0; i < 3; i++) {
            int o = 3 - g.nsp;
            g.in[i] = g.k[i] = i < o ? 1 : x->dims[2 + i - o];
            g.s[i] = g.d[i] = g.out[i] = 1;
        }
    } else {
        sp_pool(n, x, &g);
    }
    Kernel *k = kernel_begin(e, "pool_nd");
    kernel_str(k, "MODE", "lp");
    kernel_str(k, "T", "float");
    kernel_int(k, "PLANES", x->dims[0] * x->dims[1]);
    kernel_sp(k, &g);
    kernel_int(k, "COL_MAJOR", 0);
    kernel_float(k, "P", (double)attr_int(n, "p", 2));
    const char *fn = kernel_end(e, k);
    emit_stmt(e, "%s(%C, %T, 0);", fn, x, y);
    return 0;
}

/* MaxRoiPool (Caffe-style ROI pooling): each roi [batch, x1, y1, x2, y2],
   scaled by spatial_scale and rounded, is split into pooled_shape bins;
   each output is the max of its bin (0 for an empty bin). rois are read at
   run time; a batch index out of range reads batch 0. */
int infer_maxroipool(Graph *gr, Node *n) {
    (void)gr;
    if (!need_inputs(n, 2, 2)) return -1;
    Tensor *x = n->inputs[0], *rois = n->inputs[1];
    int64_t ps[2];
    if (!need_dtype_float(n, x, "input") || !need_dtype_float(n, rois, "rois")) return -1;
    if (x->rank != 4 || rois->rank != 2 || rois->dims[1] != 5 ||
        attr_ints(n, "pooled_shape", ps, 2) != 2 || ps[0] <= 0 || ps[1] <= 0) {
        error_at_node(n, "needs a 4-D input, rois of shape [R, 5] and a 2-entry pooled_shape");
        return -1;
    }
    int64_t d[4] = {rois->dims[0], x->dims[1], ps[0], ps[1]};
    set_out(n, 0, x->dtype, 4, d);
    return 0;
}

int emit_maxroipool(Emit *e, Node *n) {
    Tensor *x = n->inputs[0], *rois = n->inputs[1], *y = n->outputs[0];
    if (tensor_numel(y) == 0) return 0;
    Kernel *k = kernel_begin(e, "maxroipool");
    kernel_int(k, "NB", x->dims[0]);
    kernel_int(k, "C", x->dims[1]);
    kernel_int(k, "H", x->dims[2]);
    kernel_int(k, "W", x->dims[3]);
    kernel_int(k, "R", rois->dims[0]);
    kernel_int(k, "PH", y->dims[2]);
    kernel_int(k, "PW", y->dims[3]);
    kernel_float(k, "SCALE", attr_float(n, "spatial_scale", 1.0f));
    const char *fn = kernel_end(e, k);
    emit_stmt(e, "%s(%C, %C, %T);", fn, x, rois, y);
    return 0;
}

/* AveragePool beyond nn.c's 1-D/2-D float kernels (3-D). count_include_pad
   counts window positions inside the padded input. */
static bool avgpool_is_basic(const Node *n) {
    const Tensor *x = n->inputs[0];
    return x->rank == 3 || x->rank == 4;
}

int infer_avgpool(Graph *gr, Node *n) {
    if (!need_inputs(n, 1, 1)) return -1;
    if (avgpool_is_basic(n)) return infer_pool(gr, n);
    Tensor *x = n->inputs[0];
    SpGeom g;
    if (!need_dtype_float(n, x, "input") || !sp_pool(n, x, &g)) return -1;
    set_conv_out(n, x, x->dims[1], &g, x->dtype);
    return 0;
}

int emit_avgpool(Emit *e, Node *n) {
    if (avgpool_is_basic(n)) return emit_pool(e, n);
    Tensor *x = n->inputs[0], *y = n->outputs[0];
    SpGeom g;
    sp_pool(n, x, &g);
    Kernel *k = kernel_begin(e, "pool_nd");
    kernel_str(k, "MODE", "avg");
    kernel_str(k, "T", "float");
    kernel_int(k, "PLANES", x->dims[0] * x->dims[1]);
    kernel_sp(k, &g);
    kernel_int(k, "COL_MAJOR", 0);
    kernel_int(k, "COUNT_PAD", attr_int(n, "count_include_pad", 0) != 0);
    kernel_int(k, "QD", g.in[0] + g.pe[0]);
    kernel_int(k, "QH", g.in[1] + g.pe[1]);
    kernel_int(k, "QW", g.in[2] + g.pe[2]);
    const char *fn = kernel_end(e, k);
    emit_stmt(e, "%s(%C, %T, 0);", fn, x, y);
    return 0;
}

/* MaxUnpool: zeros, with each x scattered to the position its index names
   (MaxPool's Indices: flat positions in the shape the pooling geometry
   inverts to, (in - 1) * stride + kernel - pads). output_shape, when
   given, decides the output shape (so it must be constant); the indexed
   positions keep their coordinates in it, and those outside are dropped, as
   are out-of-range indices (read at run time). */
static bool unpool_dims(Node *n, int64_t *d) {
    Tensor *x = n->inputs[0];
    SpGeom g;
    Tensor w = {.rank = x->rank};
    int64_t ks[6];
    if (x->rank < 3 || x->rank > 5 || attr_ints(n, "kernel_shape", ks, 6) != x->rank - 2) {
        error_at_node(n, "needs a 3-D to 5-D input and %d kernel_shape entries", x->rank - 2);
        return false;
    }
    for (int i = 0; i < x->rank - 2; i++)
        w.dims[2 + i] = ks[i];
    if (!sp_init(n, x, &w, &g)) return false;
    d[0] = x->dims[0], d[1] = x->dims[1];
    for (int i = 0; i < g.nsp; i++) {
        int a = 3 - g.nsp + i;
        d[2 + i] = (g.in[a] - 1) * g.s[a] + g.k[a] - g.pb[a] - g.pe[a];
        if (d[2 + i] <= 0) {
            error_at_node(n, "the output would be empty");
            return false;
        }
    }
    return true;
}

int infer_maxunpool(Graph *gr, Node *n) {
    (void)gr;
    if (!need_inputs(n, 2, 3)) return -1;
    Tensor *x = n->inputs[0], *ix = n->inputs[1], *os = node_input(n, 2);
    int64_t d[5];
    if (!need_dtype_float(n, x, "input") || !unpool_dims(n, d)) return -1;
    if (ix->dtype != DT_INT64 || !tensor_same_shape(ix, x)) {
        error_at_node(n, "indices must be int64 with the input's shape");
        return -1;
    }
    if (os) {
        if (!need_const(n, os, "output_shape")) return -1;
        if (tensor_numel(os) != x->rank) {
            error_at_node(n, "output_shape must have %d entries", x->rank);
            return -1;
        }
        for (int i = 0; i < x->rank; i++) {
            d[i] = tensor_get_i64(os, i);
            if (d[i] < 0 || d[i] > ((int64_t)1 << 31) || (i < 2 && d[i] != x->dims[i])) {
                error_at_node(n, "output_shape entry %d is out of range", i);
                return -1;
            }
        }
    }
    set_out(n, 0, x->dtype, x->rank, d);
    return 0;
}

int emit_maxunpool(Emit *e, Node *n) {
    Tensor *x = n->inputs[0], *ix = n->inputs[1], *y = n->outputs[0];
    int64_t d[5];
    unpool_dims(n, d);
    Kernel *k = kernel_begin(e, "maxunpool");
    kernel_int(k, "N", tensor_numel(x));
    kernel_int(k, "NY", tensor_numel(y));
    kernel_int(k, "RANK", x->rank);
    kernel_ints(k, "IDIMS", d, x->rank);
    kernel_ints(k, "ODIMS", y->dims, y->rank);
    const char *fn = kernel_end(e, k);
    emit_stmt(e, "%s(%C, %C, %T);", fn, x, ix, y);
    return 0;
}

/* RoiAlign (opset 10/16): each roi [x1, y1, x2, y2] of image batch_indices[r]
   is split into output_height x output_width bins, each sampled on a grid
   (sampling_ratio, or adaptive: ceil(roi size / bins)) by bilinear
   interpolation; a bin is the mean (mode avg) or max (mode max, of the
   weighted corner values, as onnxruntime does) of its samples. rois and
   batch indices are read at run time; a bad batch index reads image 0. */
int infer_roialign(Graph *gr, Node *n) {
    (void)gr;
    if (!need_inputs(n, 3, 3)) return -1;
    Tensor *x = n->inputs[0], *rois = n->inputs[1], *bi = n->inputs[2];
    if (!need_dtype_float(n, x, "input") || !need_dtype_float(n, rois, "rois")) return -1;
    if (x->rank != 4 || rois->rank != 2 || rois->dims[1] != 4 || bi->rank != 1 ||
        bi->dims[0] != rois->dims[0] || (bi->dtype != DT_INT64 && bi->dtype != DT_INT32)) {
        error_at_node(n, "needs X [N, C, H, W], rois [R, 4] and R int64 batch indices");
        return -1;
    }
    const char *mode = attr_str(n, "mode", "avg");
    const char *ctm = attr_str(n, "coordinate_transformation_mode", "half_pixel");
    int64_t oh = attr_int(n, "output_height", 1), ow = attr_int(n, "output_width", 1);
    if ((strcmp(mode, "avg") && strcmp(mode, "max")) ||
        (strcmp(ctm, "half_pixel") && strcmp(ctm, "output_half_pixel")) || oh <= 0 || ow <= 0 ||
        oh > (1 << 16) || ow > (1 << 16) || attr_int(n, "sampling_ratio", 0) < 0 ||
        attr_int(n, "sampling_ratio", 0) > (1 << 16)) {
        error_at_node(n, "unsupported mode, coordinate_transformation_mode or output size");
        return -1;
    }
    int64_t d[4] = {rois->dims[0], x->dims[1], oh, ow};
    set_out(n, 0, x->dtype, 4, d);
    return 0;
}

int emit_roialign(Emit *e, Node *n) {
    Tensor *x = n->inputs[0], *rois = n->inputs[1], *bi = n->inputs[2], *y = n->outputs[0];
    if (tensor_numel(y) == 0) return 0;
    /* Before opset 16 there was no coordinate_transformation_mode: the
       legacy output_half_pixel behaviour. */
    const char *ctm = attr_str(n, "coordinate_transformation_mode",
                               n->opset < 16 ? "output_half_pixel" : "half_pixel");
    Kernel *k = kernel_begin(e, "roialign");
    kernel_str(k, "TI", dtype_ctype(bi->dtype));
    kernel_int(k, "NB", x->dims[0]);
    kernel_int(k, "C", x->dims[1]);
    kernel_int(k, "H", x->dims[2]);
    kernel_int(k, "W", x->dims[3]);
    kernel_int(k, "R", rois->dims[0]);
    kernel_int(k, "OH", y->dims[2]);
    kernel_int(k, "OW", y->dims[3]);
    kernel_int(k, "SAMPLING", attr_int(n, "sampling_ratio", 0));
    kernel_float(k, "SCALE", attr_float(n, "spatial_scale", 1.0f));
    kernel_int(k, "HALF_PIXEL", strcmp(ctm, "half_pixel") == 0);
    kernel_int(k, "MAX", strcmp(attr_str(n, "mode", "avg"), "max") == 0);
    const char *fn = kernel_end(e, k);
    emit_stmt(e, "%s(%C, %C, %C, %T);", fn, x, rois, bi, y);
    return 0;
}
