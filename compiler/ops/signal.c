/*
 * signal.c - opset 17's signal operators and Det.
 *
 * HannWindow, HammingWindow, BlackmanWindow and MelWeightMatrix depend only
 * on scalars that decide their output shape, so they are always computed at
 * compile time (in double, then rounded once) and never emitted. DFT and
 * STFT are direct O(n^2) transforms in double (templates/dft.m4): exact to
 * float rounding, and the models using them transform short frames. Det is
 * an LU factorization with partial pivoting per matrix (templates/det.m4).
 */
#include "ops.h"

#include <math.h>
#include <string.h>

static const double PI = 3.14159265358979323846;

/* ---------------------------------------------------------------- windows */

static bool scalar_const(Node *n, int i, const char *what, double *v) {
    Tensor *t = node_input(n, i);
    if (!t) return false;
    if (!need_const(n, t, what)) return false;
    if (tensor_numel(t) != 1) {
        error_at_node(n, "%s '%s' must be a scalar", what, t->name);
        return false;
    }
    *v = tensor_get_f64(t, 0);
    return true;
}

static DType output_datatype(Node *n) {
    int64_t dt = attr_int(n, "output_datatype", DT_FLOAT);
    if (dt != DT_FLOAT && dt != DT_DOUBLE) {
        error_at_node(n, "output_datatype %lld is not supported (float and double are)",
                      (long long)dt);
        return DT_UNDEFINED;
    }
    return (DType)dt;
}

int infer_window(Graph *g, Node *n) {
    (void)g;
    double size;
    if (!need_inputs(n, 1, 1) || !scalar_const(n, 0, "size", &size)) return -1;
    if (size < 0 || size > (1 << 24)) {
        error_at_node(n, "size %g is out of range", size);
        return -1;
    }
    DType dt = output_datatype(n);
    if (!dt) return -1;
    int64_t len = (int64_t)size;
    set_out(n, 0, dt, 1, &len);
    return 0;
}

static void put(Tensor *t, int64_t i, double v) {
    if (t->dtype == DT_DOUBLE)
        ((double *)t->data)[i] = v;
    else
        ((float *)t->data)[i] = (float)v;
}

int fold_window(Graph *g, Node *n) {
    Tensor *y = n->outputs[0];
    int64_t len = y->dims[0];
    double denom = attr_int(n, "periodic", 1) ? (double)len : (double)len - 1;
    alloc_const(g, y);
    for (int64_t i = 0; i < len; i++) {
        double a = denom > 0 ? 2 * PI * (double)i / denom : 0, v;
        switch (n->op_type[1]) {
        case 'a':
            v = n->op_type[2] == 'n' ? 0.5 - 0.5 * cos(a)              /* Hann */
                                     : 25.0 / 46 - 21.0 / 46 * cos(a); /* Hamming */
            break;
        default:
            v = 0.42 - 0.5 * cos(a) + 0.08 * cos(2 * a); /* Blackman */
        }
        put(y, i, v);
    }
    return 0;
}

int emit_window(Emit *e, Node *n) {
    (void)e;
    error_at_node(n, "internal: window functions are computed at compile time");
    return -1;
}

/* ---------------------------------------------------------------- MelWeightMatrix */

int infer_mel(Graph *g, Node *n) {
    (void)g;
    double bins, dft, rate, lo, hi;
    if (!need_inputs(n, 5, 5) || !scalar_const(n, 0, "num_mel_bins", &bins) ||
        !scalar_const(n, 1, "dft_length", &dft) || !scalar_const(n, 2, "sample_rate", &rate) ||
        !scalar_const(n, 3, "lower_edge_hertz", &lo) ||
        !scalar_const(n, 4, "upper_edge_hertz", &hi))
        return -1;
    if (bins < 1 || bins > 4096 || dft < 1 || dft > (1 << 20) || rate <= 0 || lo < 0 || hi < lo) {
        error_at_node(n, "the mel parameters are out of range");
        return -1;
    }
    DType dt = output_datatype(n);
    if (!dt) return -1;
    int64_t d[2] = {(int64_t)dft / 2 + 1, (int64_t)bins};
    set_out(n, 0, dt, 2, d);
    return 0;
}

static double hz_to_mel(double hz) {
    return 2595.0 * log10(1.0 + hz / 700.0);
}
static double mel_to_hz(double mel) {
    return 700.0 * (pow(10.0, mel / 2595.0) - 1.0);
}

/* Triangular filters between mel-spaced points, each mapped to a DFT bin
   as floor((dft_length + 1) * hz / sample_rate), as the operator defines. */
int fold_mel(Graph *g, Node *n) {
    Tensor *y = n->outputs[0];
    int64_t nbins = y->dims[1], nspec = y->dims[0];
    double dft = tensor_get_f64(n->inputs[1], 0), rate = tensor_get_f64(n->inputs[2], 0);
    double lo = hz_to_mel(tensor_get_f64(n->inputs[3], 0)),
           hi = hz_to_mel(tensor_get_f64(n->inputs[4], 0));
    double step = (hi - lo) / (double)(nbins + 2);
    int64_t pts[4096 + 2];
    for (int64_t i = 0; i < nbins + 2; i++)
        pts[i] = (int64_t)floor((dft + 1) * mel_to_hz((double)i * step + lo) / rate);
    alloc_const(g, y);
    for (int64_t i = 0; i < nbins; i++) {
        int64_t l = pts[i], c = pts[i + 1], r = pts[i + 2];
        if (c - l == 0) {
            if (c >= 0 && c < nspec) put(y, c * nbins + i, 1.0);
        } else {
            for (int64_t j = l; j <= c; j++)
                if (j >= 0 && j < nspec) put(y, j * nbins + i, (double)(j - l) / (double)(c - l));
        }
        for (int64_t j = c; j < r; j++)
            if (j >= 0 && j < nspec) put(y, j * nbins + i, (double)(r - j) / (double)(r - c));
    }
    return 0;
}

int emit_mel(Emit *e, Node *n) {
    (void)e;
    error_at_node(n, "internal: MelWeightMatrix is computed at compile time");
    return -1;
}

/* ---------------------------------------------------------------- DFT */

/* x [outer, n, inner, c] with c = 1 (real) or 2 (complex). */
typedef struct DftShape {
    int64_t outer, n, inner, c, len, bins;
} DftShape;

static bool dft_shape(Node *n, DftShape *s) {
    Tensor *x = n->inputs[0];
    if (x->rank < 3 || (x->dims[x->rank - 1] != 1 && x->dims[x->rank - 1] != 2)) {
        error_at_node(n, "input '%s' must be [batch, ..., n, 1 or 2]", x->name);
        return false;
    }
    int64_t axis = attr_int(n, "axis", 1);
    if (axis < 0) axis += x->rank;
    if (axis < 1 || axis >= x->rank - 1) {
        error_at_node(n, "axis %lld is not a signal axis", (long long)attr_int(n, "axis", 1));
        return false;
    }
    s->outer = s->inner = 1;
    for (int i = 0; i < x->rank - 1; i++) {
        if (i < axis) s->outer *= x->dims[i];
        if (i > axis) s->inner *= x->dims[i];
    }
    s->n = x->dims[axis];
    s->c = x->dims[x->rank - 1];
    s->len = s->n;
    double len;
    if (node_input(n, 1)) {
        if (!scalar_const(n, 1, "dft_length", &len)) return false;
        if (len < 1 || len > (1 << 20)) {
            error_at_node(n, "dft_length %g is out of range", len);
            return false;
        }
        s->len = (int64_t)len;
    }
    bool onesided = attr_int(n, "onesided", 0) != 0;
    if (onesided && attr_int(n, "inverse", 0)) {
        error_at_node(n, "onesided with inverse is not supported");
        return false;
    }
    s->bins = onesided ? s->len / 2 + 1 : s->len;
    return true;
}

int infer_dft(Graph *g, Node *n) {
    (void)g;
    if (!need_inputs(n, 1, 2) || !need_dtype_float(n, n->inputs[0], "input")) return -1;
    DftShape s;
    if (!dft_shape(n, &s)) return -1;
    Tensor *x = n->inputs[0];
    int64_t d[MAX_RANK];
    int64_t axis = attr_int(n, "axis", 1);
    if (axis < 0) axis += x->rank;
    memcpy(d, x->dims, sizeof d);
    d[axis] = s.bins;
    d[x->rank - 1] = 2;
    set_out(n, 0, DT_FLOAT, x->rank, d);
    return 0;
}

int emit_dft(Emit *e, Node *n) {
    DftShape s;
    if (!dft_shape(n, &s)) return -1;
    Kernel *k = kernel_begin(e, "dft");
    kernel_int(k, "OUTER", s.outer);
    kernel_int(k, "NSIG", s.n);
    kernel_int(k, "INNER", s.inner);
    kernel_int(k, "CIN", s.c);
    kernel_int(k, "LEN", s.len);
    kernel_int(k, "BINS", s.bins);
    kernel_int(k, "INVERSE", attr_int(n, "inverse", 0) != 0);
    kernel_int(k, "STEP", 0);
    kernel_int(k, "HAS_WINDOW", 0);
    const char *fn = kernel_end(e, k);
    emit_stmt(e, "%s(%C, 0, %T);", fn, n->inputs[0], n->outputs[0]);
    return 0;
}

/* ---------------------------------------------------------------- STFT */

typedef struct StftShape {
    int64_t batch, length, c, step, frame, frames, bins;
} StftShape;

static bool stft_shape(Node *n, StftShape *s) {
    Tensor *x = n->inputs[0], *w = node_input(n, 2);
    double step, flen = 0;
    if (x->rank != 3 || (x->dims[2] != 1 && x->dims[2] != 2)) {
        error_at_node(n, "signal '%s' must be [batch, length, 1 or 2]", x->name);
        return false;
    }
    if (!scalar_const(n, 1, "frame_step", &step)) return false;
    if (node_input(n, 3) && !scalar_const(n, 3, "frame_length", &flen)) return false;
    if (w && (w->rank != 1 || w->dtype != x->dtype)) {
        error_at_node(n, "window '%s' must be 1-D of the signal's type", w->name);
        return false;
    }
    s->frame = w ? w->dims[0] : (int64_t)flen;
    if (w && node_input(n, 3) && (int64_t)flen != s->frame) {
        error_at_node(n, "frame_length %g differs from the window's length %lld", flen,
                      (long long)s->frame);
        return false;
    }
    s->batch = x->dims[0];
    s->length = x->dims[1];
    s->c = x->dims[2];
    s->step = (int64_t)step;
    if (s->frame < 1 || s->frame > s->length || s->step < 1) {
        error_at_node(n, "frame length %lld and step %lld do not fit a signal of %lld samples",
                      (long long)s->frame, (long long)s->step, (long long)s->length);
        return false;
    }
    s->frames = 1 + (s->length - s->frame) / s->step;
    s->bins = attr_int(n, "onesided", 1) ? s->frame / 2 + 1 : s->frame;
    return true;
}

int infer_stft(Graph *g, Node *n) {
    (void)g;
    if (!need_inputs(n, 2, 4) || !need_dtype_float(n, n->inputs[0], "signal")) return -1;
    StftShape s;
    if (!stft_shape(n, &s)) return -1;
    int64_t d[4] = {s.batch, s.frames, s.bins, 2};
    set_out(n, 0, DT_FLOAT, 4, d);
    return 0;
}

/* Frames are DFTs over a strided view: OUTER = batch, the signal axis has
   FRAMES starts STEP apart, each of LEN samples. */
int emit_stft(Emit *e, Node *n) {
    StftShape s;
    if (!stft_shape(n, &s)) return -1;
    Kernel *k = kernel_begin(e, "dft");
    kernel_int(k, "OUTER", s.batch);
    kernel_int(k, "NSIG", s.length);
    kernel_int(k, "INNER", 1);
    kernel_int(k, "CIN", s.c);
    kernel_int(k, "LEN", s.frame);
    kernel_int(k, "BINS", s.bins);
    kernel_int(k, "INVERSE", 0);
    kernel_int(k, "STEP", s.step);
    kernel_int(k, "FRAMES", s.frames);
    kernel_int(k, "HAS_WINDOW", node_input(n, 2) != NULL);
    const char *fn = kernel_end(e, k);
    if (node_input(n, 2))
        emit_stmt(e, "%s(%C, %C, %T);", fn, n->inputs[0], n->inputs[2], n->outputs[0]);
    else
        emit_stmt(e, "%s(%C, 0, %T);", fn, n->inputs[0], n->outputs[0]);
    return 0;
}

/* ---------------------------------------------------------------- Det */

int infer_det(Graph *g, Node *n) {
    (void)g;
    if (!need_inputs(n, 1, 1) || !need_dtype_float(n, n->inputs[0], "input")) return -1;
    Tensor *x = n->inputs[0];
    if (x->rank < 2 || x->dims[x->rank - 1] != x->dims[x->rank - 2]) {
        error_at_node(n, "input '%s' must be [..., M, M]", x->name);
        return -1;
    }
    set_out(n, 0, x->dtype, x->rank - 2, x->dims);
    return 0;
}

int emit_det(Emit *e, Node *n) {
    Tensor *x = n->inputs[0];
    int64_t m = x->dims[x->rank - 1];
    Kernel *k = kernel_begin(e, "det");
    kernel_int(k, "COUNT", tensor_numel(x) / (m * m));
    kernel_int(k, "M", m);
    const char *fn = kernel_end(e, k);
    emit_stmt(e, "%s(%C, %T, %s);", fn, x, n->outputs[0], emit_scratch(e, "double", m * m * 8));
    return 0;
}

int64_t scratch_det(const Node *n, const Options *opt) {
    (void)opt;
    const Tensor *x = n->inputs[0];
    if (x->rank < 2) return 0;
    return x->dims[x->rank - 1] * x->dims[x->rank - 1] * 8;
}
