/*
 * resize.c - Resize (opset 10+) and Upsample: nearest (every nearest_mode),
 * linear and cubic interpolation with every coordinate transformation mode,
 * exclude_outside and tf_crop_and_resize's extrapolation.
 *
 * Resizing is separable: each output element is a weighted sum over a
 * small product of per-axis taps. Since shapes are static, the compiler
 * computes every axis's taps (input index and weight for each output
 * index) once, in double, following the ONNX reference's 1-D rule
 * (coordinate transform, then the nearest n neighbours of an edge-padded
 * axis); the kernel only gathers and sums. Axes that are not resized get a
 * single tap of weight 1, so the usual 2-D image resize does at most 16
 * (cubic), 4 (linear) or 1 (nearest) reads per element.
 *
 * The scales or sizes decide the output shape, so they must be
 * compile-time constants; roi is only read at compile time too.
 */
#include "ops.h"

#include <math.h>
#include <string.h>

enum { MAX_TAPS = 4 };

typedef struct ResizeSpec {
    int mode;    /* 0 nearest, 1 linear, 2 cubic */
    int coord;   /* see coord_names */
    int nearest; /* see nearest_names */
    double cubic_a, extrapolation;
    bool exclude_outside;
    double scale[MAX_RANK];
    double roi0[MAX_RANK], roi1[MAX_RANK]; /* tf_crop_and_resize: start, end per axis */
    int64_t out[MAX_RANK];
} ResizeSpec;

static const char *coord_names[] = {"half_pixel",
                                    "asymmetric",
                                    "align_corners",
                                    "pytorch_half_pixel",
                                    "tf_crop_and_resize",
                                    "tf_half_pixel_for_nn",
                                    NULL};
static const char *nearest_names[] = {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil",
                                      NULL};

static int pick(Node *n, const char *attr, const char *dflt, const char **names) {
    const char *v = attr_str(n, attr, dflt);
    for (int i = 0; names[i]; i++)
        if (strcmp(v, names[i]) == 0) return i;
    error_at_node(n, "%s '%s' is not supported", attr, v);
    return -1;
}

/* Reads the attributes and the constant scales/sizes/roi. */
static bool resize_spec(Node *n, ResizeSpec *r) {
    Tensor *x = n->inputs[0];
    bool upsample = strcmp(n->op_type, "Upsample") == 0;
    memset(r, 0, sizeof *r);
    const char *mode = attr_str(n, "mode", "nearest");
    if (!strcmp(mode, "nearest"))
        r->mode = 0;
    else if (!strcmp(mode, "linear") || !strcmp(mode, "bilinear"))
        r->mode = 1;
    else if (!strcmp(mode, "cubic") && !upsample)
        r->mode = 2;
    else {
        error_at_node(n, "mode '%s' is not supported", mode);
        return false;
    }
    if (node_attr(n, "axes") || node_attr(n, "antialias") ||
        node_attr(n, "keep_aspect_ratio_policy")) {
        error_at_node(n, "the opset 18 attributes axes/antialias/keep_aspect_ratio_policy are not "
                         "supported");
        return false;
    }
    /* Before opset 11 (and in Upsample) the only transform is asymmetric
       with floor for nearest. */
    bool old = upsample || n->opset < 11;
    r->coord = old ? 1 : pick(n, "coordinate_transformation_mode", "half_pixel", coord_names);
    r->nearest = old ? 2 : pick(n, "nearest_mode", "round_prefer_floor", nearest_names);
    if (r->coord < 0 || r->nearest < 0) return false;
    r->cubic_a = attr_float(n, "cubic_coeff_a", -0.75f);
    r->exclude_outside = attr_int(n, "exclude_outside", 0) != 0;
    r->extrapolation = attr_float(n, "extrapolation_value", 0.0f);

    Tensor *scales = NULL, *sizes = NULL, *roi = NULL;
    float attr_scales[MAX_RANK];
    int nattr = -1;
    if (upsample && n->opset < 9) {
        const Attr *a = node_attr(n, "scales");
        if (a && a->type == ATTR_FLOATS && a->n <= MAX_RANK) {
            nattr = a->n;
            memcpy(attr_scales, a->floats, sizeof(float) * (size_t)a->n);
        }
    } else if (n->opset < 11 || upsample) {
        scales = node_input(n, 1);
    } else {
        roi = node_input(n, 1), scales = node_input(n, 2), sizes = node_input(n, 3);
    }
    if (scales && tensor_numel(scales) == 0) scales = NULL;
    if (sizes && tensor_numel(sizes) == 0) sizes = NULL;
    if (roi && tensor_numel(roi) == 0) roi = NULL;
    if ((scales && !need_const(n, scales, "scales")) || (sizes && !need_const(n, sizes, "sizes")) ||
        (roi && r->coord == 4 && !need_const(n, roi, "roi")))
        return false;
    int64_t cnt = nattr >= 0 ? nattr
                  : scales   ? tensor_numel(scales)
                  : sizes    ? tensor_numel(sizes)
                             : -1;
    if (cnt != x->rank || (scales && sizes)) {
        error_at_node(n, "needs exactly one of scales and sizes, with one entry per input axis");
        return false;
    }
    for (int i = 0; i < x->rank; i++) {
        if (sizes) {
            r->out[i] = tensor_get_i64(sizes, i);
            if (r->out[i] > ((int64_t)1 << 40)) r->out[i] = -1;
            r->scale[i] = x->dims[i] ? (double)r->out[i] / (double)x->dims[i] : 1.0;
        } else {
            double s = nattr >= 0 ? attr_scales[i] : tensor_get_f64(scales, i);
            float prod = (float)s * (float)x->dims[i]; /* as the reference: float32 */
            r->scale[i] = s;
            r->out[i] = prod >= 0 && prod < 0x1p40f ? (int64_t)prod : -1;
        }
        if (r->scale[i] <= 0 || r->out[i] <= 0) {
            error_at_node(n, "axis %d would be resized to %lld", i, (long long)r->out[i]);
            return false;
        }
    }
    if (r->coord == 4) {
        if (!roi || tensor_numel(roi) != 2 * x->rank) {
            error_at_node(n, "tf_crop_and_resize needs a constant roi of %d values", 2 * x->rank);
            return false;
        }
        for (int i = 0; i < x->rank; i++)
            r->roi0[i] = tensor_get_f64(roi, i), r->roi1[i] = tensor_get_f64(roi, x->rank + i);
    }
    return true;
}

int infer_resize(Graph *g, Node *n) {
    (void)g;
    bool upsample = strcmp(n->op_type, "Upsample") == 0;
    int max_in = upsample ? (n->opset < 9 ? 1 : 2) : n->opset < 11 ? 2 : 4;
    if (!need_inputs(n, 1, max_in)) return -1;
    Tensor *x = n->inputs[0];
    ResizeSpec r;
    if (!need_dtype_float(n, x, "input") || !resize_spec(n, &r)) return -1;
    set_out(n, 0, x->dtype, x->rank, r.out);
    return 0;
}

/* The taps of output index o along an axis of `in` inputs: writes up to
   MAX_TAPS (index, weight) pairs and returns their count; 0 means the
   coordinate is outside the crop (the extrapolation value). This follows
   the ONNX reference: the source coordinate, its integer part and ratio
   (an integral coordinate counts as ratio 1 from the index below), the
   coefficients, the nearest neighbours on an edge-padded axis. */
static int axis_taps(const ResizeSpec *r, int axis, int64_t in, int64_t o, int64_t *idx,
                     double *w) {
    double s = r->scale[axis], ow = s * (double)in, x = (double)o, xo;
    switch (r->coord) {
    case 2: /* align_corners */
        xo = ow == 1 ? 0 : x * (double)(in - 1) / (ow - 1);
        break;
    case 1: /* asymmetric */
        xo = x / s;
        break;
    case 4: /* tf_crop_and_resize */
        xo = ow == 1 ? (r->roi1[axis] - r->roi0[axis]) * (double)(in - 1) / 2
                     : x * (r->roi1[axis] - r->roi0[axis]) * (double)(in - 1) / (ow - 1);
        xo += r->roi0[axis] * (double)(in - 1);
        if (xo < 0 || xo > (double)(in - 1)) return 0;
        break;
    case 3: /* pytorch_half_pixel */
        xo = ow == 1 ? -0.5 : (x + 0.5) / s - 0.5;
        break;
    case 5: /* tf_half_pixel_for_nn */
        xo = (x + 0.5) / s;
        break;
    default: /* half_pixel */
        xo = (x + 0.5) / s - 0.5;
        break;
    }
    double fl = floor(xo), ratio = xo - fl;
    if (ratio == 0) fl -= 1, ratio = 1; /* the reference's is_integer() case */
    double c[MAX_TAPS];
    int nt;
    if (r->mode == 0) {
        bool up;
        switch (r->nearest) {
        case 0:
            up = ratio > 0.5;
            break;
        case 1:
            up = ratio >= 0.5;
            break;
        case 2:
            up = ratio == 1; /* floor of an integral coordinate is itself */
            break;
        default:
            up = true;
            break;
        }
        c[0] = !up, c[1] = up, nt = 2;
    } else if (r->mode == 1) {
        c[0] = 1 - ratio, c[1] = ratio, nt = 2;
    } else {
        double A = r->cubic_a, r1 = ratio + 1, q = 1 - ratio, q1 = q + 1;
        c[0] = ((A * r1 - 5 * A) * r1 + 8 * A) * r1 - 4 * A;
        c[1] = ((A + 2) * ratio - (A + 3)) * ratio * ratio + 1;
        c[2] = ((A + 2) * q - (A + 3)) * q * q + 1;
        c[3] = ((A * q1 - 5 * A) * q1 + 8 * A) * q1 - 4 * A;
        nt = 4;
    }
    /* Positions fl - nt/2 + 1 ... fl + nt/2 (linear/nearest: fl, fl + 1). */
    int64_t first = (int64_t)fl - nt / 2 + 1;
    if (r->exclude_outside) {
        double sum = 0;
        for (int t = 0; t < nt; t++) {
            if (first + t < 0 || first + t >= in) c[t] = 0;
            sum += c[t];
        }
        for (int t = 0; t < nt && sum != 0; t++)
            c[t] /= sum;
    }
    int k = 0;
    for (int t = 0; t < nt; t++) {
        if (c[t] == 0) continue;
        int64_t p = first + t;
        p = p < 0 ? 0 : p >= in ? in - 1 : p; /* edge padding */
        idx[k] = p, w[k] = c[t], k++;
    }
    if (k == 0) idx[0] = first < 0 ? 0 : first >= in ? in - 1 : first, w[0] = 0, k = 1;
    return k;
}

int emit_resize(Emit *e, Node *n) {
    Tensor *x = n->inputs[0], *y = n->outputs[0];
    ResizeSpec r;
    resize_spec(n, &r);
    Graph *g = emit_graph(e);
    /* Per axis: the tap count K (max over output indices) and, for each
       output index, K (index, weight) pairs; index -1 marks extrapolation. */
    int64_t taps[MAX_RANK], toff[MAX_RANK], xs[MAX_RANK], total = 0, st = 1;
    for (int d = x->rank - 1; d >= 0; d--)
        xs[d] = st, st *= x->dims[d];
    for (int d = 0; d < x->rank; d++) {
        taps[d] = 1;
        for (int64_t o = 0; o < y->dims[d]; o++) {
            int64_t ix[MAX_TAPS];
            double w[MAX_TAPS];
            int k = axis_taps(&r, d, x->dims[d], o, ix, w);
            if (k > taps[d]) taps[d] = k;
        }
        toff[d] = total;
        total += taps[d] * y->dims[d];
    }
    int32_t *tix = pool_alloc(g->pool, sizeof(int32_t) * (size_t)total);
    float *tw = pool_alloc(g->pool, sizeof(float) * (size_t)total);
    for (int d = 0; d < x->rank; d++)
        for (int64_t o = 0; o < y->dims[d]; o++) {
            int64_t ix[MAX_TAPS];
            double w[MAX_TAPS];
            int k = axis_taps(&r, d, x->dims[d], o, ix, w);
            for (int t = 0; t < taps[d]; t++) {
                int64_t at = toff[d] + o * taps[d] + t;
                tix[at] = k == 0 ? -1 : t < k ? (int32_t)ix[t] : (int32_t)ix[0];
                tw[at] = t < k ? (float)w[t] : 0.0f;
            }
        }
    int64_t combos = 1;
    for (int d = 0; d < x->rank; d++)
        combos *= taps[d];
    Kernel *k = kernel_begin(e, "resize");
    kernel_int(k, "RANK", x->rank);
    kernel_int(k, "N", tensor_numel(y));
    kernel_int(k, "COMBOS", combos);
    kernel_ints(k, "ODIMS", y->dims, y->rank);
    kernel_ints(k, "XSTRIDES", xs, x->rank);
    kernel_ints(k, "TAPS", taps, x->rank);
    kernel_ints(k, "TOFF", toff, x->rank);
    kernel_float(k, "EXTRAPOLATION", r.extrapolation);
    const char *fn = kernel_end(e, k);
    const char *ci = emit_const_array(e, DT_INT32, tix, total, "Resize tap indices");
    const char *cw = emit_const_array(e, DT_FLOAT, tw, total, "Resize tap weights");
    emit_stmt(e, "%s(%C, %s, %s, %T);", fn, x, ci, cw, y);
    return 0;
}
