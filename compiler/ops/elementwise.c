/*
 * elementwise.c - unary activations, numpy-broadcast binary ops, Clip and
 * the variadic Sum/Max/Min.
 *
 * The C expressions of the operators live in templates/unary.m4 and
 * templates/binary.m4, keyed by the ONNX op name; this file only checks
 * shapes, evaluates constants (for folding) and picks the template
 * parameters. The fold tables here and the template macros are tested
 * against each other and against ONNX's backend data.
 */
#include "ops.h"

#include <math.h>
#include <string.h>

/* ---------------------------------------------------------------- unary */

typedef double (*UnaryFn)(double x, double alpha, double beta);

static double u_abs(double x, double a, double b) {
    (void)a, (void)b;
    return fabs(x);
}
static double u_ceil(double x, double a, double b) {
    (void)a, (void)b;
    return ceil(x);
}
static double u_elu(double x, double a, double b) {
    (void)b;
    return x >= 0 ? x : a * (exp(x) - 1);
}
static double u_erf(double x, double a, double b) {
    (void)a, (void)b;
    return erf(x);
}
static double u_exp(double x, double a, double b) {
    (void)a, (void)b;
    return exp(x);
}
static double u_floor(double x, double a, double b) {
    (void)a, (void)b;
    return floor(x);
}
static double u_hsig(double x, double a, double b) {
    return fmax(0, fmin(1, a * x + b));
}
static double u_hswish(double x, double a, double b) {
    (void)a, (void)b;
    return x * fmax(0, fmin(1, x / 6 + 0.5));
}
static double u_leaky(double x, double a, double b) {
    (void)b;
    return x >= 0 ? x : a * x;
}
static double u_log(double x, double a, double b) {
    (void)a, (void)b;
    return log(x);
}
static double u_neg(double x, double a, double b) {
    (void)a, (void)b;
    return -x;
}
static double u_recip(double x, double a, double b) {
    (void)a, (void)b;
    return 1 / x;
}
static double u_relu(double x, double a, double b) {
    (void)a, (void)b;
    return x > 0 ? x : 0;
}
static double u_selu(double x, double a, double g) {
    return x > 0 ? g * x : g * a * (exp(x) - 1);
}
static double u_sigmoid(double x, double a, double b) {
    (void)a, (void)b;
    return 1 / (1 + exp(-x));
}
static double u_sign(double x, double a, double b) {
    (void)a, (void)b;
    return (x > 0) - (x < 0);
}
static double u_softplus(double x, double a, double b) {
    (void)a, (void)b;
    return log1p(exp(x));
}
static double u_softsign(double x, double a, double b) {
    (void)a, (void)b;
    return x / (1 + fabs(x));
}
static double u_sqrt(double x, double a, double b) {
    (void)a, (void)b;
    return sqrt(x);
}
static double u_tanh(double x, double a, double b) {
    (void)a, (void)b;
    return tanh(x);
}

/* Per-op attribute names and defaults; the template reads ALPHA/BETA. */
static const struct UnaryInfo {
    const char *name;
    UnaryFn fn;
    const char *alpha_attr, *beta_attr;
    float alpha, beta;
    ActKind act; /* fusable as a GEMM/Conv epilogue */
} unary_info[] = {
    {"Abs", u_abs, NULL, NULL, 0, 0, ACT_NONE},
    {"Ceil", u_ceil, NULL, NULL, 0, 0, ACT_NONE},
    {"Elu", u_elu, "alpha", NULL, 1.0f, 0, ACT_NONE},
    {"Erf", u_erf, NULL, NULL, 0, 0, ACT_NONE},
    {"Exp", u_exp, NULL, NULL, 0, 0, ACT_NONE},
    {"Floor", u_floor, NULL, NULL, 0, 0, ACT_NONE},
    {"HardSigmoid", u_hsig, "alpha", "beta", 0.2f, 0.5f, ACT_HARD_SIGMOID},
    {"HardSwish", u_hswish, NULL, NULL, 0, 0, ACT_HARD_SWISH},
    {"LeakyRelu", u_leaky, "alpha", NULL, 0.01f, 0, ACT_LEAKY_RELU},
    {"Log", u_log, NULL, NULL, 0, 0, ACT_NONE},
    {"Neg", u_neg, NULL, NULL, 0, 0, ACT_NONE},
    {"Reciprocal", u_recip, NULL, NULL, 0, 0, ACT_NONE},
    {"Relu", u_relu, NULL, NULL, 0, 0, ACT_RELU},
    {"Selu", u_selu, "alpha", "gamma", 1.67326319217681884765625f, 1.05070102214813232421875f,
     ACT_NONE},
    {"Sigmoid", u_sigmoid, NULL, NULL, 0, 0, ACT_SIGMOID},
    {"Sign", u_sign, NULL, NULL, 0, 0, ACT_NONE},
    {"Softplus", u_softplus, NULL, NULL, 0, 0, ACT_NONE},
    {"Softsign", u_softsign, NULL, NULL, 0, 0, ACT_NONE},
    {"Sqrt", u_sqrt, NULL, NULL, 0, 0, ACT_NONE},
    {"Tanh", u_tanh, NULL, NULL, 0, 0, ACT_TANH},
};

static const struct UnaryInfo *unary_lookup(const char *op) {
    for (size_t i = 0; i < sizeof unary_info / sizeof unary_info[0]; i++)
        if (strcmp(unary_info[i].name, op) == 0) return &unary_info[i];
    return NULL;
}

static void unary_params(const Node *n, const struct UnaryInfo *u, float *alpha, float *beta) {
    *alpha = u->alpha_attr ? attr_float(n, u->alpha_attr, u->alpha) : u->alpha;
    *beta = u->beta_attr ? attr_float(n, u->beta_attr, u->beta) : u->beta;
}

ActKind act_of_node(const Node *n, float *alpha, float *beta) {
    *alpha = *beta = 0;
    if (n->dead || *n->domain) return ACT_NONE;
    if (strcmp(n->op_type, "Clip") == 0) {
        /* Only a Clip whose bounds are known at compile time can be fused. */
        float lo = -INFINITY, hi = INFINITY;
        if (n->opset < 11) {
            lo = attr_float(n, "min", -INFINITY);
            hi = attr_float(n, "max", INFINITY);
        } else {
            Tensor *tl = node_input(n, 1), *th = node_input(n, 2);
            if ((tl && !tl->data) || (th && !th->data)) return ACT_NONE;
            if ((tl && tl->dtype != DT_FLOAT) || (th && th->dtype != DT_FLOAT)) return ACT_NONE;
            if (tl) lo = ((float *)tl->data)[0];
            if (th) hi = ((float *)th->data)[0];
        }
        *alpha = lo;
        *beta = hi;
        return ACT_CLIP;
    }
    const struct UnaryInfo *u = unary_lookup(n->op_type);
    if (!u || u->act == ACT_NONE) return ACT_NONE;
    unary_params(n, u, alpha, beta);
    return u->act;
}

int infer_unary(Graph *g, Node *n) {
    (void)g;
    if (!need_inputs(n, 1, 1)) return -1;
    Tensor *x = n->inputs[0];
    if (!need_dtype_float(n, x, "input")) return -1;
    set_out(n, 0, x->dtype, x->rank, x->dims);
    return 0;
}

int fold_unary(Graph *g, Node *n) {
    const struct UnaryInfo *u = unary_lookup(n->op_type);
    Tensor *x = n->inputs[0], *y = n->outputs[0];
    float alpha, beta;
    unary_params(n, u, &alpha, &beta);
    float *out = alloc_const(g, y);
    const float *in = x->data;
    for (int64_t i = 0; i < tensor_numel(x); i++)
        out[i] = (float)u->fn(in[i], alpha, beta);
    return 0;
}

int emit_unary(Emit *e, Node *n) {
    const struct UnaryInfo *u = unary_lookup(n->op_type);
    float alpha, beta;
    unary_params(n, u, &alpha, &beta);
    Kernel *k = kernel_begin(e, "unary");
    kernel_str(k, "OP", n->op_type);
    kernel_int(k, "N", tensor_numel(n->outputs[0]));
    kernel_float(k, "ALPHA", alpha);
    kernel_float(k, "BETA", beta);
    const char *fn = kernel_end(e, k);
    emit_stmt(e, "%s(%C, %T);", fn, n->inputs[0], n->outputs[0]);
    return 0;
}

/* ---------------------------------------------------------------- Clip */

int infer_clip(Graph *g, Node *n) {
    (void)g;
    if (!need_inputs(n, 1, 3)) return -1;
    Tensor *x = n->inputs[0];
    if (!need_dtype_float(n, x, "input")) return -1;
    for (int i = 1; i < n->ninputs; i++) {
        Tensor *b = n->inputs[i];
        if (b && tensor_numel(b) != 1) {
            error_at_node(n, "%s '%s' must be a scalar", i == 1 ? "min" : "max", b->name);
            return -1;
        }
        if (b && !b->data) {
            error_at_node(n, "%s '%s' must be a compile-time constant", i == 1 ? "min" : "max",
                          b->name);
            return -1;
        }
    }
    set_out(n, 0, x->dtype, x->rank, x->dims);
    return 0;
}

int fold_clip(Graph *g, Node *n) {
    float lo, hi;
    act_of_node(n, &lo, &hi);
    Tensor *x = n->inputs[0];
    float *out = alloc_const(g, n->outputs[0]);
    const float *in = x->data;
    for (int64_t i = 0; i < tensor_numel(x); i++)
        out[i] = fminf(fmaxf(in[i], lo), hi);
    return 0;
}

int emit_clip(Emit *e, Node *n) {
    float lo, hi;
    act_of_node(n, &lo, &hi);
    Kernel *k = kernel_begin(e, "unary");
    kernel_str(k, "OP", "Clip");
    kernel_int(k, "N", tensor_numel(n->outputs[0]));
    kernel_float(k, "ALPHA", lo);
    kernel_float(k, "BETA", hi);
    const char *fn = kernel_end(e, k);
    emit_stmt(e, "%s(%C, %T);", fn, n->inputs[0], n->outputs[0]);
    return 0;
}

/* ---------------------------------------------------------------- binary */

static bool is_compare(const char *op) {
    return strcmp(op, "Equal") == 0 || strcmp(op, "Less") == 0 || strcmp(op, "Greater") == 0;
}

static bool binary_dtype_ok(DType t) {
    return t == DT_FLOAT || t == DT_INT64 || t == DT_INT32 || t == DT_DOUBLE;
}

int infer_binary(Graph *g, Node *n) {
    (void)g;
    if (!need_inputs(n, 2, 2)) return -1;
    Tensor *a = n->inputs[0], *b = n->inputs[1];
    bool pow_mixed = strcmp(n->op_type, "Pow") == 0; /* exponent may have another type */
    if (a->dtype != b->dtype && !pow_mixed) {
        error_at_node(n, "inputs '%s' (%s) and '%s' (%s) have different types", a->name,
                      dtype_name(a->dtype), b->name, dtype_name(b->dtype));
        return -1;
    }
    if (!binary_dtype_ok(a->dtype) || (pow_mixed && !binary_dtype_ok(b->dtype))) {
        error_at_node(n, "type %s is not supported", dtype_name(a->dtype));
        return -1;
    }
    if (n->opset < 7 && attr_int(n, "broadcast", 0) && node_attr(n, "axis")) {
        error_at_node(n, "legacy broadcasting with 'axis' (opset < 7) is not supported");
        return -1;
    }
    int64_t dims[MAX_RANK];
    int rank;
    if (!broadcast_shape(n, a, b, &rank, dims)) return -1;
    set_out(n, 0, is_compare(n->op_type) ? DT_BOOL : a->dtype, rank, dims);
    return 0;
}

static double bin_eval(const char *op, double a, double b) {
    switch (op[0]) {
    case 'A':
        return a + b;
    case 'S':
        return a - b;
    case 'M':
        return a * b;
    case 'D':
        return a / b;
    case 'P':
        return pow(a, b);
    case 'E':
        return a == b;
    case 'L':
        return a < b;
    case 'G':
        return a > b;
    }
    return 0;
}

static int64_t bin_eval_int(const char *op, int64_t a, int64_t b) {
    switch (op[0]) {
    case 'A':
        return (int64_t)((uint64_t)a + (uint64_t)b);
    case 'S':
        return (int64_t)((uint64_t)a - (uint64_t)b);
    case 'M':
        return (int64_t)((uint64_t)a * (uint64_t)b);
    case 'D':
        return b == 0 ? 0 : (a == INT64_MIN && b == -1) ? a : a / b;
    case 'P': {
        int64_t r = 1;
        for (int64_t i = 0; i < b && i < 64; i++)
            r *= a;
        return r;
    }
    case 'E':
        return a == b;
    case 'L':
        return a < b;
    case 'G':
        return a > b;
    }
    return 0;
}

/* Writes element i of a constant tensor from a double or int64 value. */
static void put_value(Tensor *t, int64_t i, double d, int64_t v, bool is_int) {
    switch (t->dtype) {
    case DT_FLOAT:
        ((float *)t->data)[i] = is_int ? (float)v : (float)d;
        break;
    case DT_DOUBLE:
        ((double *)t->data)[i] = is_int ? (double)v : d;
        break;
    case DT_INT64:
        ((int64_t *)t->data)[i] = is_int ? v : (int64_t)d;
        break;
    case DT_INT32:
        ((int32_t *)t->data)[i] = (int32_t)(is_int ? v : (int64_t)d);
        break;
    case DT_BOOL:
        ((uint8_t *)t->data)[i] = (uint8_t)(is_int ? v != 0 : d != 0);
        break;
    default:
        break;
    }
}

int fold_binary(Graph *g, Node *n) {
    Tensor *a = n->inputs[0], *b = n->inputs[1], *y = n->outputs[0];
    int64_t sa[MAX_RANK], sb[MAX_RANK], idx[MAX_RANK] = {0};
    broadcast_strides(a, y->rank, y->dims, sa);
    broadcast_strides(b, y->rank, y->dims, sb);
    alloc_const(g, y);
    bool ints = !dtype_is_float(a->dtype) && !dtype_is_float(b->dtype);
    int64_t total = tensor_numel(y);
    for (int64_t i = 0; i < total; i++) {
        int64_t ia = 0, ib = 0;
        for (int d = 0; d < y->rank; d++) {
            ia += idx[d] * sa[d];
            ib += idx[d] * sb[d];
        }
        if (ints)
            put_value(y, i, 0,
                      bin_eval_int(n->op_type, tensor_get_i64(a, ia), tensor_get_i64(b, ib)), true);
        else
            put_value(y, i, bin_eval(n->op_type, tensor_get_f64(a, ia), tensor_get_f64(b, ib)), 0,
                      false);
        for (int d = y->rank - 1; d >= 0; d--) {
            if (++idx[d] < y->dims[d]) break;
            idx[d] = 0;
        }
    }
    return 0;
}

/* Merges adjacent output dimensions along which both operands are
   contiguous (or both broadcast), so most kernels end up rank 1 or 2. */
static int collapse(int rank, const int64_t *dims, const int64_t *sa, const int64_t *sb,
                    int64_t *cd, int64_t *ca, int64_t *cb) {
    int r = 0;
    for (int i = 0; i < rank; i++) {
        if (dims[i] == 1) continue;
        if (r > 0) {
            int j = r - 1;
            bool a_ok = (ca[j] == 0 && sa[i] == 0) || (sa[i] != 0 && ca[j] == sa[i] * dims[i]);
            bool b_ok = (cb[j] == 0 && sb[i] == 0) || (sb[i] != 0 && cb[j] == sb[i] * dims[i]);
            if (a_ok && b_ok) {
                cd[j] *= dims[i];
                ca[j] = sa[i];
                cb[j] = sb[i];
                continue;
            }
        }
        cd[r] = dims[i];
        ca[r] = sa[i];
        cb[r] = sb[i];
        r++;
    }
    if (r == 0) {
        cd[0] = 1;
        ca[0] = cb[0] = 0;
        r = 1;
    }
    return r;
}

static void emit_binary_op(Emit *e, Node *n, const char *op, Tensor *a, Tensor *b, Tensor *y) {
    int64_t sa[MAX_RANK], sb[MAX_RANK], cd[MAX_RANK], ca[MAX_RANK], cb[MAX_RANK];
    broadcast_strides(a, y->rank, y->dims, sa);
    broadcast_strides(b, y->rank, y->dims, sb);
    int r = collapse(y->rank, y->dims, sa, sb, cd, ca, cb);
    Kernel *k = kernel_begin(e, "binary");
    kernel_str(k, "OP", op);
    kernel_str(k, "TA", dtype_ctype(a->dtype));
    kernel_str(k, "TB", dtype_ctype(b->dtype));
    kernel_str(k, "TY", dtype_ctype(y->dtype));
    kernel_int(k, "N", tensor_numel(y));
    kernel_int(k, "RANK", r);
    kernel_ints(k, "DIMS", cd, r);
    kernel_ints(k, "SA", ca, r);
    kernel_ints(k, "SB", cb, r);
    kernel_int(k, "INNER", cd[r - 1]);
    kernel_int(k, "SA_LAST", ca[r - 1]);
    kernel_int(k, "SB_LAST", cb[r - 1]);
    const char *fn = kernel_end(e, k);
    (void)n;
    emit_stmt(e, "%s(%C, %C, %T);", fn, a, b, y);
}

int emit_binary(Emit *e, Node *n) {
    emit_binary_op(e, n, n->op_type, n->inputs[0], n->inputs[1], n->outputs[0]);
    return 0;
}

/* ---------------------------------------------------------------- Sum / Max / Min */

static const char *variadic_op(const Node *n) {
    return strcmp(n->op_type, "Sum") == 0 ? "Add" : n->op_type;
}

int infer_variadic(Graph *g, Node *n) {
    (void)g;
    if (!need_inputs(n, 1, 1 << 20)) return -1;
    Tensor acc = *n->inputs[0];
    for (int i = 1; i < n->ninputs; i++) {
        Tensor *b = n->inputs[i];
        if (!b || b->dtype != acc.dtype) {
            error_at_node(n, "all inputs must be present and have the same type");
            return -1;
        }
        if (!broadcast_shape(n, &acc, b, &acc.rank, acc.dims)) return -1;
    }
    if (!binary_dtype_ok(acc.dtype)) {
        error_at_node(n, "type %s is not supported", dtype_name(acc.dtype));
        return -1;
    }
    set_out(n, 0, acc.dtype, acc.rank, acc.dims);
    return 0;
}

int fold_variadic(Graph *g, Node *n) {
    (void)g, (void)n;
    return 1; /* rare on constants; left to run time */
}

int emit_variadic(Emit *e, Node *n) {
    Tensor *y = n->outputs[0];
    if (n->ninputs == 1) {
        emit_binary_op(e, n, "Max", n->inputs[0], n->inputs[0], y); /* max(x, x) == x copy */
        return 0;
    }
    const char *op = variadic_op(n);
    emit_binary_op(e, n, op, n->inputs[0], n->inputs[1], y);
    /* y = y op x_i: y already has the full broadcast shape. */
    for (int i = 2; i < n->ninputs; i++)
        emit_binary_op(e, n, op, y, n->inputs[i], y);
    return 0;
}
