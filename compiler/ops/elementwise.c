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

static double u_acos(double x, double a, double b) {
    (void)a, (void)b;
    return acos(x);
}
static double u_acosh(double x, double a, double b) {
    (void)a, (void)b;
    return acosh(x);
}
static double u_asin(double x, double a, double b) {
    (void)a, (void)b;
    return asin(x);
}
static double u_asinh(double x, double a, double b) {
    (void)a, (void)b;
    return asinh(x);
}
static double u_atan(double x, double a, double b) {
    (void)a, (void)b;
    return atan(x);
}
static double u_atanh(double x, double a, double b) {
    (void)a, (void)b;
    return atanh(x);
}
static double u_celu(double x, double a, double b) {
    (void)b;
    return fmax(0, x) + fmin(0, a * (exp(x / a) - 1));
}
static double u_cos(double x, double a, double b) {
    (void)a, (void)b;
    return cos(x);
}
static double u_cosh(double x, double a, double b) {
    (void)a, (void)b;
    return cosh(x);
}
static double u_isinf(double x, double a, double b) {
    return isinf(x) && ((a != 0 && x < 0) || (b != 0 && x > 0));
}
static double u_isnan(double x, double a, double b) {
    (void)a, (void)b;
    return isnan(x);
}
static double u_not(double x, double a, double b) {
    (void)a, (void)b;
    return x == 0;
}
static double u_round(double x, double a, double b) {
    (void)a, (void)b;
    return nearbyint(x); /* the default rounding mode: half to even */
}
static double u_shrink(double x, double bias, double lambd) {
    return x < -lambd ? x + bias : x > lambd ? x - bias : 0;
}
static double u_sin(double x, double a, double b) {
    (void)a, (void)b;
    return sin(x);
}
static double u_sinh(double x, double a, double b) {
    (void)a, (void)b;
    return sinh(x);
}
static double u_tan(double x, double a, double b) {
    (void)a, (void)b;
    return tan(x);
}
static double u_thresholded(double x, double a, double b) {
    (void)b;
    return x > a ? x : 0;
}
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
    {"Acos", u_acos, NULL, NULL, 0, 0, ACT_NONE},
    {"Acosh", u_acosh, NULL, NULL, 0, 0, ACT_NONE},
    {"Asin", u_asin, NULL, NULL, 0, 0, ACT_NONE},
    {"Asinh", u_asinh, NULL, NULL, 0, 0, ACT_NONE},
    {"Atan", u_atan, NULL, NULL, 0, 0, ACT_NONE},
    {"Atanh", u_atanh, NULL, NULL, 0, 0, ACT_NONE},
    {"Ceil", u_ceil, NULL, NULL, 0, 0, ACT_NONE},
    {"Celu", u_celu, "alpha", NULL, 1.0f, 0, ACT_NONE},
    {"Cos", u_cos, NULL, NULL, 0, 0, ACT_NONE},
    {"Cosh", u_cosh, NULL, NULL, 0, 0, ACT_NONE},
    {"Elu", u_elu, "alpha", NULL, 1.0f, 0, ACT_NONE},
    {"Erf", u_erf, NULL, NULL, 0, 0, ACT_NONE},
    {"Exp", u_exp, NULL, NULL, 0, 0, ACT_NONE},
    {"Floor", u_floor, NULL, NULL, 0, 0, ACT_NONE},
    {"HardSigmoid", u_hsig, "alpha", "beta", 0.2f, 0.5f, ACT_HARD_SIGMOID},
    {"HardSwish", u_hswish, NULL, NULL, 0, 0, ACT_HARD_SWISH},
    {"IsInf", u_isinf, "detect_negative", "detect_positive", 1, 1, ACT_NONE},
    {"IsNaN", u_isnan, NULL, NULL, 0, 0, ACT_NONE},
    {"LeakyRelu", u_leaky, "alpha", NULL, 0.01f, 0, ACT_LEAKY_RELU},
    {"Log", u_log, NULL, NULL, 0, 0, ACT_NONE},
    {"Neg", u_neg, NULL, NULL, 0, 0, ACT_NONE},
    {"Not", u_not, NULL, NULL, 0, 0, ACT_NONE},
    {"Reciprocal", u_recip, NULL, NULL, 0, 0, ACT_NONE},
    {"Relu", u_relu, NULL, NULL, 0, 0, ACT_RELU},
    {"Round", u_round, NULL, NULL, 0, 0, ACT_NONE},
    {"Selu", u_selu, "alpha", "gamma", 1.67326319217681884765625f, 1.05070102214813232421875f,
     ACT_NONE},
    {"Shrink", u_shrink, "bias", "lambd", 0, 0.5f, ACT_NONE},
    {"Sigmoid", u_sigmoid, NULL, NULL, 0, 0, ACT_SIGMOID},
    {"Sign", u_sign, NULL, NULL, 0, 0, ACT_NONE},
    {"Sin", u_sin, NULL, NULL, 0, 0, ACT_NONE},
    {"Sinh", u_sinh, NULL, NULL, 0, 0, ACT_NONE},
    {"Softplus", u_softplus, NULL, NULL, 0, 0, ACT_NONE},
    {"Softsign", u_softsign, NULL, NULL, 0, 0, ACT_NONE},
    {"Sqrt", u_sqrt, NULL, NULL, 0, 0, ACT_NONE},
    {"Tan", u_tan, NULL, NULL, 0, 0, ACT_NONE},
    {"Tanh", u_tanh, NULL, NULL, 0, 0, ACT_TANH},
    {"ThresholdedRelu", u_thresholded, "alpha", NULL, 1.0f, 0, ACT_NONE},
};

static const struct UnaryInfo *unary_lookup(const char *op) {
    for (size_t i = 0; i < sizeof unary_info / sizeof unary_info[0]; i++)
        if (strcmp(unary_info[i].name, op) == 0) return &unary_info[i];
    return NULL;
}

static void unary_params(const Node *n, const struct UnaryInfo *u, float *alpha, float *beta) {
    *alpha = u->alpha_attr ? attr_float(n, u->alpha_attr, u->alpha) : u->alpha;
    *beta = u->beta_attr ? attr_float(n, u->beta_attr, u->beta) : u->beta;
    if (strcmp(u->name, "IsInf") == 0) { /* int attributes */
        *alpha = (float)attr_int(n, u->alpha_attr, 1);
        *beta = (float)attr_int(n, u->beta_attr, 1);
    }
}

/* Not maps bool to bool; IsNaN and IsInf map float to bool; the others
   keep the (float) input type. */
static bool unary_from_bool(const char *op) {
    return strcmp(op, "Not") == 0;
}
static bool unary_to_bool(const char *op) {
    return strcmp(op, "Not") == 0 || strcmp(op, "IsNaN") == 0 || strcmp(op, "IsInf") == 0;
}

/* A float Clip's bounds when they are known at compile time (attributes
   before opset 11, constant inputs since); only such a Clip can be fused. */
static bool clip_bounds(const Node *n, float *lo, float *hi) {
    *lo = -INFINITY;
    *hi = INFINITY;
    if (n->opset < 11) {
        *lo = attr_float(n, "min", -INFINITY);
        *hi = attr_float(n, "max", INFINITY);
        return true;
    }
    Tensor *tl = node_input(n, 1), *th = node_input(n, 2);
    if ((tl && !tl->data) || (th && !th->data)) return false;
    if ((tl && tl->dtype != DT_FLOAT) || (th && th->dtype != DT_FLOAT)) return false;
    if (tl) *lo = ((float *)tl->data)[0];
    if (th) *hi = ((float *)th->data)[0];
    return true;
}

ActKind act_of_node(const Node *n, float *alpha, float *beta) {
    *alpha = *beta = 0;
    if (n->dead || *n->domain) return ACT_NONE;
    if (strcmp(n->op_type, "Clip") == 0) {
        float lo, hi;
        if (!clip_bounds(n, &lo, &hi)) return ACT_NONE;
        *alpha = lo;
        *beta = hi;
        return ACT_CLIP;
    }
    const struct UnaryInfo *u = unary_lookup(n->op_type);
    if (!u || u->act == ACT_NONE) return ACT_NONE;
    unary_params(n, u, alpha, beta);
    return u->act;
}

static bool unary_on_ints(const char *op) {
    static const char *const names[] = {"Abs", "Neg", "Relu", "Sign"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(op, names[i]) == 0) return true;
    return false;
}

static bool is_signed_int(DType t) {
    return t == DT_INT8 || t == DT_INT16 || t == DT_INT32 || t == DT_INT64;
}

int infer_unary(Graph *g, Node *n) {
    (void)g;
    if (!need_inputs(n, 1, 1)) return -1;
    Tensor *x = n->inputs[0];
    if (unary_from_bool(n->op_type)) {
        if (x->dtype != DT_BOOL) {
            error_at_node(n, "input '%s' has type %s; expected bool", x->name,
                          dtype_name(x->dtype));
            return -1;
        }
    } else if (unary_on_ints(n->op_type) && is_signed_int(x->dtype)) {
        /* integer Abs/Neg/Sign/Relu (shape arithmetic in expanded functions) */
    } else if (x->dtype != DT_DOUBLE && x->dtype != DT_FLOAT16 &&
               !need_dtype_float(n, x, "input")) {
        return -1; /* float16 is computed on as float, double as double */
    }
    set_out(n, 0, unary_to_bool(n->op_type) ? DT_BOOL : x->dtype, x->rank, x->dims);
    return 0;
}

int fold_unary(Graph *g, Node *n) {
    const struct UnaryInfo *u = unary_lookup(n->op_type);
    Tensor *x = n->inputs[0], *y = n->outputs[0];
    if (x->dtype == DT_FLOAT16) return 1; /* left to the kernel's half helpers */
    float alpha, beta;
    unary_params(n, u, &alpha, &beta);
    alloc_const(g, y);
    bool ints = is_signed_int(x->dtype);
    for (int64_t i = 0; i < tensor_numel(x); i++) {
        if (ints) { /* exact in int64: Abs/Neg/Sign/Relu never leave the range but at MIN */
            int64_t v = tensor_get_i64(x, i), r = v;
            if (strcmp(u->name, "Neg") == 0 || (strcmp(u->name, "Abs") == 0 && v < 0))
                r = (int64_t)(0 - (uint64_t)v);
            else if (strcmp(u->name, "Sign") == 0)
                r = (v > 0) - (v < 0);
            else if (strcmp(u->name, "Relu") == 0)
                r = v < 0 ? 0 : v;
            tensor_put(y, i, 0, r, true);
            continue;
        }
        tensor_put(y, i, u->fn(tensor_get_f64(x, i), alpha, beta), 0, false);
    }
    return 0;
}

static int emit_chain_steps(Emit *e, Node *n, Node *const *steps, int nsteps);

int emit_unary(Emit *e, Node *n) {
    const struct UnaryInfo *u = unary_lookup(n->op_type);
    /* A float op is a chain of one step: the same scalar expression, plus
       the chain template's vector path where the op has one, and the same
       bits as when it is fused with its neighbours. */
    if (emit_options(e)->opt_level > 0 && ew_chain_step(n)) return emit_chain_steps(e, n, &n, 1);
    float alpha, beta;
    unary_params(n, u, &alpha, &beta);
    Kernel *k = kernel_begin(e, "unary");
    kernel_str(k, "OP", n->op_type);
    kernel_str(k, "TX", dtype_ctype(n->inputs[0]->dtype));
    kernel_str(k, "TY", dtype_ctype(n->outputs[0]->dtype));
    kernel_int(k, "N", tensor_numel(n->outputs[0]));
    if (n->inputs[0]->dtype == DT_FLOAT16) kernel_int(k, "HALF", 1);
    kernel_float(k, "ALPHA", alpha);
    kernel_float(k, "BETA", beta);
    const char *fn = kernel_end(e, k);
    emit_stmt(e, "%s(%C, %T);", fn, n->inputs[0], n->outputs[0]);
    return 0;
}

/* ---------------------------------------------------------------- Clip */

/* Types Clip (and the binary kernels) can compute on with C arithmetic. */
static bool arith_dtype(DType t) {
    return t != DT_FLOAT16 && t != DT_BFLOAT16 && t != DT_STRING && t != DT_BOOL &&
           t != DT_COMPLEX64 && t != DT_COMPLEX128 && dtype_ctype(t) != NULL;
}

/* Bounds come from attributes before opset 11 and from optional scalar
   inputs since; an input bound may be computed at run time (the kernel
   reads it), a constant one lets fusion absorb the Clip. */
int infer_clip(Graph *g, Node *n) {
    (void)g;
    if (!need_inputs(n, 1, 3)) return -1;
    Tensor *x = n->inputs[0];
    if (n->opset < 11 ? !need_dtype_float(n, x, "input") : !arith_dtype(x->dtype)) {
        if (n->opset >= 11)
            error_at_node(n, "input '%s' has type %s, which Clip does not support", x->name,
                          dtype_name(x->dtype));
        return -1;
    }
    for (int i = 1; i < n->ninputs; i++) {
        Tensor *b = n->inputs[i];
        if (b && (tensor_numel(b) != 1 || b->dtype != x->dtype)) {
            error_at_node(n, "%s '%s' must be a scalar of the input's type", i == 1 ? "min" : "max",
                          b->name);
            return -1;
        }
    }
    set_out(n, 0, x->dtype, x->rank, x->dims);
    return 0;
}

int fold_clip(Graph *g, Node *n) {
    if (n->inputs[0]->dtype != DT_FLOAT) return 1;
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
    Tensor *x = n->inputs[0], *y = n->outputs[0];
    if (n->opset < 11) {
        float lo, hi;
        act_of_node(n, &lo, &hi);
        Kernel *k = kernel_begin(e, "unary");
        kernel_str(k, "OP", "Clip");
        kernel_str(k, "TX", "float");
        kernel_str(k, "TY", "float");
        kernel_int(k, "N", tensor_numel(y));
        kernel_float(k, "ALPHA", lo);
        kernel_float(k, "BETA", hi);
        const char *fn = kernel_end(e, k);
        emit_stmt(e, "%s(%C, %T);", fn, x, y);
        return 0;
    }
    Tensor *lo = node_input(n, 1), *hi = node_input(n, 2);
    Kernel *k = kernel_begin(e, "clip");
    kernel_str(k, "T", dtype_ctype(x->dtype));
    kernel_int(k, "N", tensor_numel(y));
    kernel_int(k, "HAS_LO", lo != NULL);
    kernel_int(k, "HAS_HI", hi != NULL);
    const char *fn = kernel_end(e, k);
    /* An absent bound is passed as the input pointer and never read. */
    emit_stmt(e, "%s(%C, %C, %C, %T);", fn, x, lo ? lo : x, hi ? hi : x, y);
    return 0;
}

/* ---------------------------------------------------------------- binary */

static bool is_op(const char *op, const char *const *names) {
    for (; *names; names++)
        if (strcmp(op, *names) == 0) return true;
    return false;
}

static bool is_compare(const char *op) {
    static const char *const names[] = {"Equal",       "Less",           "Greater",
                                        "LessOrEqual", "GreaterOrEqual", NULL};
    return is_op(op, names);
}

static bool is_logical(const char *op) {
    static const char *const names[] = {"And", "Or", "Xor", NULL};
    return is_op(op, names);
}

static bool binary_dtype_ok(const char *op, DType t) {
    if (is_logical(op)) return t == DT_BOOL;
    if (strcmp(op, "BitShift") == 0)
        return t == DT_UINT8 || t == DT_UINT16 || t == DT_UINT32 || t == DT_UINT64;
    if (t == DT_FLOAT16) return strcmp(op, "Pow") != 0; /* computed on as float */
    return arith_dtype(t) || (t == DT_BOOL && strcmp(op, "Equal") == 0);
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
    if (!binary_dtype_ok(n->op_type, a->dtype) ||
        (pow_mixed && !binary_dtype_ok(n->op_type, b->dtype))) {
        error_at_node(n, "type %s is not supported", dtype_name(a->dtype));
        return -1;
    }
    if (n->opset < 7 && attr_int(n, "broadcast", 0) && node_attr(n, "axis")) {
        error_at_node(n, "legacy broadcasting with 'axis' (opset < 7) is not supported");
        return -1;
    }
    if (strcmp(n->op_type, "BitShift") == 0) {
        const char *dir = attr_str(n, "direction", "");
        if (strcmp(dir, "LEFT") != 0 && strcmp(dir, "RIGHT") != 0) {
            error_at_node(n, "direction must be LEFT or RIGHT, not '%s'", dir);
            return -1;
        }
    }
    int64_t dims[MAX_RANK];
    int rank;
    if (!broadcast_shape(n, a, b, &rank, dims)) return -1;
    set_out(n, 0, is_compare(n->op_type) ? DT_BOOL : a->dtype, rank, dims);
    return 0;
}

static double bin_eval(const char *op, double a, double b) {
    if (!strcmp(op, "Add")) return a + b;
    if (!strcmp(op, "Sub")) return a - b;
    if (!strcmp(op, "Mul")) return a * b;
    if (!strcmp(op, "Div")) return a / b;
    if (!strcmp(op, "Pow")) return pow(a, b);
    if (!strcmp(op, "Max")) return a < b ? b : a;
    if (!strcmp(op, "Min")) return b < a ? b : a;
    if (!strcmp(op, "PRelu")) return a < 0 ? a * b : a;
    if (!strcmp(op, "Equal")) return a == b;
    if (!strcmp(op, "Less")) return a < b;
    if (!strcmp(op, "Greater")) return a > b;
    if (!strcmp(op, "LessOrEqual")) return a <= b;
    if (!strcmp(op, "GreaterOrEqual")) return a >= b;
    return NAN;
}

/* Integer semantics; returns false for an op folding does not cover. */
static bool bin_eval_int(const char *op, int64_t a, int64_t b, int64_t *r) {
    uint64_t ua = (uint64_t)a, ub = (uint64_t)b;
    if (!strcmp(op, "Add"))
        *r = (int64_t)(ua + ub);
    else if (!strcmp(op, "Sub"))
        *r = (int64_t)(ua - ub);
    else if (!strcmp(op, "Mul"))
        *r = (int64_t)(ua * ub);
    else if (!strcmp(op, "Div"))
        *r = b == 0 ? 0 : (a == INT64_MIN && b == -1) ? a : a / b;
    else if (!strcmp(op, "Max"))
        *r = a < b ? b : a;
    else if (!strcmp(op, "Min"))
        *r = b < a ? b : a;
    else if (!strcmp(op, "Equal"))
        *r = a == b;
    else if (!strcmp(op, "Less"))
        *r = a < b;
    else if (!strcmp(op, "Greater"))
        *r = a > b;
    else if (!strcmp(op, "LessOrEqual"))
        *r = a <= b;
    else if (!strcmp(op, "GreaterOrEqual"))
        *r = a >= b;
    else if (!strcmp(op, "And"))
        *r = a && b;
    else if (!strcmp(op, "Or"))
        *r = a || b;
    else if (!strcmp(op, "Xor"))
        *r = (a != 0) != (b != 0);
    else
        return false;
    return true;
}

/* Folds the common ops on constants (shape arithmetic mostly); the rarer
   ones (Mod, BitShift, Pow on integers, uint64) are left to run time. */
int fold_binary(Graph *g, Node *n) {
    Tensor *a = n->inputs[0], *b = n->inputs[1], *y = n->outputs[0];
    bool ints = !dtype_is_float(a->dtype) && !dtype_is_float(b->dtype);
    int64_t probe;
    if (ints ? !bin_eval_int(n->op_type, 0, 1, &probe) : isnan(bin_eval(n->op_type, 0, 1)))
        return 1;
    if (a->dtype == DT_UINT64 || a->dtype == DT_FLOAT16 || a->dtype == DT_BFLOAT16) return 1;
    int64_t sa[MAX_RANK], sb[MAX_RANK], idx[MAX_RANK] = {0};
    broadcast_strides(a, y->rank, y->dims, sa);
    broadcast_strides(b, y->rank, y->dims, sb);
    alloc_const(g, y);
    int64_t total = tensor_numel(y);
    for (int64_t i = 0; i < total; i++) {
        int64_t ia = 0, ib = 0;
        for (int d = 0; d < y->rank; d++) {
            ia += idx[d] * sa[d];
            ib += idx[d] * sb[d];
        }
        if (ints) {
            int64_t r = 0;
            bin_eval_int(n->op_type, tensor_get_i64(a, ia), tensor_get_i64(b, ib), &r);
            tensor_put(y, i, 0, r, true);
        } else {
            tensor_put(y, i, bin_eval(n->op_type, tensor_get_f64(a, ia), tensor_get_f64(b, ib)), 0,
                       false);
        }
        index_next(idx, y->dims, y->rank);
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
    if (strcmp(op, "Mod") == 0) kernel_int(k, "FMOD", attr_int(n, "fmod", 0) != 0);
    if (a->dtype == DT_FLOAT16) kernel_int(k, "HALF", 1);
    const char *fn = kernel_end(e, k);
    emit_stmt(e, "%s(%C, %C, %T);", fn, a, b, y);
}

int emit_binary(Emit *e, Node *n) {
    const char *op = n->op_type;
    if (strcmp(op, "BitShift") == 0)
        op = strcmp(attr_str(n, "direction", ""), "LEFT") == 0 ? "BitShiftLeft" : "BitShiftRight";
    emit_binary_op(e, n, op, n->inputs[0], n->inputs[1], n->outputs[0]);
    return 0;
}

/* ---------------------------------------------------------------- Sum / Max / Min / Mean */

static const char *variadic_op(const Node *n) {
    return strcmp(n->op_type, "Sum") == 0 || strcmp(n->op_type, "Mean") == 0 ? "Add" : n->op_type;
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
    bool mean = strcmp(n->op_type, "Mean") == 0;
    bool half_ok = acc.dtype == DT_FLOAT16 && !mean; /* Max/Min/Sum run on float16 bits */
    if (!half_ok &&
        (mean ? !dtype_is_float(acc.dtype) || !arith_dtype(acc.dtype) : !arith_dtype(acc.dtype))) {
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
    if (strcmp(n->op_type, "Mean") == 0) {
        Kernel *k = kernel_begin(e, "scale");
        kernel_str(k, "T", dtype_ctype(y->dtype));
        kernel_int(k, "N", tensor_numel(y));
        kernel_int(k, "DIVISOR", n->ninputs);
        const char *fn = kernel_end(e, k);
        emit_stmt(e, "%s(%T);", fn, y);
    }
    return 0;
}

/* ---------------------------------------------------------------- Where */

int infer_where(Graph *g, Node *n) {
    (void)g;
    if (!need_inputs(n, 3, 3)) return -1;
    Tensor *c = n->inputs[0], *a = n->inputs[1], *b = n->inputs[2];
    if (c->dtype != DT_BOOL) {
        error_at_node(n, "condition '%s' has type %s; expected bool", c->name,
                      dtype_name(c->dtype));
        return -1;
    }
    if (a->dtype != b->dtype || !dtype_ctype(a->dtype)) {
        error_at_node(n, "inputs '%s' (%s) and '%s' (%s) must have one storable type", a->name,
                      dtype_name(a->dtype), b->name, dtype_name(b->dtype));
        return -1;
    }
    Tensor ab = *a;
    if (!broadcast_shape(n, a, b, &ab.rank, ab.dims)) return -1;
    int64_t dims[MAX_RANK];
    int rank;
    if (!broadcast_shape(n, c, &ab, &rank, dims)) return -1;
    set_out(n, 0, a->dtype, rank, dims);
    return 0;
}

/* Element copies by size: Where never computes on the values. */
int fold_where(Graph *g, Node *n) {
    Tensor *c = n->inputs[0], *a = n->inputs[1], *b = n->inputs[2], *y = n->outputs[0];
    int64_t sc[MAX_RANK], sa[MAX_RANK], sb[MAX_RANK], idx[MAX_RANK] = {0};
    broadcast_strides(c, y->rank, y->dims, sc);
    broadcast_strides(a, y->rank, y->dims, sa);
    broadcast_strides(b, y->rank, y->dims, sb);
    alloc_const(g, y);
    size_t es = dtype_size(y->dtype);
    int64_t total = tensor_numel(y);
    for (int64_t i = 0; i < total; i++) {
        int64_t ic = 0, ia = 0, ib = 0;
        for (int d = 0; d < y->rank; d++) {
            ic += idx[d] * sc[d];
            ia += idx[d] * sa[d];
            ib += idx[d] * sb[d];
        }
        const char *src = ((const uint8_t *)c->data)[ic] ? (const char *)a->data + ia * (int64_t)es
                                                         : (const char *)b->data + ib * (int64_t)es;
        memcpy((char *)y->data + i * (int64_t)es, src, es);
        index_next(idx, y->dims, y->rank);
    }
    return 0;
}

int emit_where(Emit *e, Node *n) {
    Tensor *c = n->inputs[0], *a = n->inputs[1], *b = n->inputs[2], *y = n->outputs[0];
    int64_t sc[MAX_RANK], sa[MAX_RANK], sb[MAX_RANK], dims[MAX_RANK];
    int rank = y->rank;
    broadcast_strides(c, rank, y->dims, sc);
    broadcast_strides(a, rank, y->dims, sa);
    broadcast_strides(b, rank, y->dims, sb);
    for (int i = 0; i < rank; i++)
        dims[i] = y->dims[i];
    if (rank == 0) { /* C has no zero-length arrays */
        rank = 1;
        dims[0] = 1;
        sc[0] = sa[0] = sb[0] = 0;
    }
    Kernel *k = kernel_begin(e, "where");
    kernel_str(k, "T", dtype_ctype(y->dtype));
    kernel_int(k, "N", tensor_numel(y));
    kernel_int(k, "RANK", rank);
    kernel_ints(k, "DIMS", dims, rank);
    kernel_ints(k, "SC", sc, rank);
    kernel_ints(k, "SA", sa, rank);
    kernel_ints(k, "SB", sb, rank);
    const char *fn = kernel_end(e, k);
    emit_stmt(e, "%s(%C, %C, %C, %T);", fn, c, a, b, y);
    return 0;
}

/* ---------------------------------------------------------------- element-wise chains */

static const char *const chain_binary[] = {"Add", "Sub",   "Mul", "Div",
                                           "Pow", "PRelu", "Max", "Min"};

static bool is_chain_binary(const char *op) {
    for (size_t i = 0; i < sizeof chain_binary / sizeof chain_binary[0]; i++)
        if (strcmp(chain_binary[i], op) == 0) return true;
    return false;
}

bool ew_chain_step(const Node *n) {
    if (n->dead || *n->domain || n->noutputs != 1 || !n->outputs[0]) return false;
    if (n->outputs[0]->dtype != DT_FLOAT || !n->inputs[0] || n->inputs[0]->dtype != DT_FLOAT)
        return false;
    float lo, hi;
    if (strcmp(n->op_type, "Clip") == 0) return act_of_node(n, &lo, &hi) == ACT_CLIP;
    const struct UnaryInfo *u = unary_lookup(n->op_type);
    if (u) return n->ninputs == 1 && !unary_to_bool(u->name) && !unary_from_bool(u->name);
    return is_chain_binary(n->op_type) && n->ninputs == 2 && n->inputs[1] &&
           n->inputs[1]->dtype == DT_FLOAT;
}

bool ew_operand_period(const Tensor *t, const Tensor *y, int64_t *len, int64_t *inner) {
    if (t->rank > y->rank) return false;
    /* Dimensions where y has size 1 do not move the index; of the others,
       those t has (not broadcast) must be one consecutive run. */
    int off = y->rank - t->rank, state = 0; /* 0: before the run, 1: in it, 2: after */
    *len = 1;
    *inner = 1;
    for (int d = 0; d < y->rank; d++) {
        int64_t yd = y->dims[d], td = d >= off ? t->dims[d - off] : 1;
        if (yd == 1) continue;
        if (td == yd) {
            if (state == 2) return false;
            state = 1;
            *len *= yd;
        } else if (td == 1) {
            if (state == 1) state = 2;
            if (state == 2) *inner *= yd;
        } else {
            return false;
        }
    }
    if (*len == 1) *inner = 1; /* one value */
    return true;
}

static int64_t gcd64(int64_t a, int64_t b) {
    while (b) {
        int64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* The shape is the last step's, set when the pass made the node. */
static int infer_ew_chain(Graph *g, Node *n) {
    (void)g;
    return n->nchain >= 2 ? 0 : -1;
}

/* One step's operand: the value so far, a constant scalar inlined, or the
   node input it is. */
static void chain_operand(Buf *b, const Node *n, const Tensor *t, const Tensor *carried) {
    if (t == carried) {
        buf_puts(b, "T");
        return;
    }
    if (t->data && tensor_numel(t) == 1) {
        char lit[64];
        float_literal(lit, sizeof lit, ((const float *)t->data)[0]);
        buf_printf(b, "K(%s)", lit);
        return;
    }
    for (int i = 0; i < n->ninputs; i++)
        if (n->inputs[i] == t) buf_printf(b, "X(%d)", i);
}

/* Emits steps[0..nsteps) as one ew_chain kernel over the operands
   n->inputs (an ElementwiseChain node, or a single unary node). */
static int emit_chain_steps(Emit *e, Node *n, Node *const *steps, int nsteps) {
    Tensor *y = n->outputs[0];
    Kernel *k = kernel_begin(e, "ew_chain");
    kernel_int(k, "N", tensor_numel(y));
    kernel_int(k, "NX", n->ninputs);
    int64_t block = tensor_numel(y);
    for (int i = 0; i < n->ninputs; i++) {
        int64_t len, inner;
        char name[32];
        if (!ew_operand_period(n->inputs[i], y, &len, &inner)) {
            error_at_node(n, "internal: operand '%s' does not broadcast as one run",
                          n->inputs[i]->name);
            return -1;
        }
        snprintf(name, sizeof name, "LEN%d", i);
        kernel_int(k, name, len);
        snprintf(name, sizeof name, "INNER%d", i);
        kernel_int(k, name, inner);
        /* Within a block operand i must be one value (inner > 1: blocks
           divide inner) or contiguous (inner 1: blocks divide len). */
        if (len > 1) block = gcd64(block, inner > 1 ? inner : len);
    }
    kernel_int(k, "B", block);
    Buf text = {0};
    const Tensor *carried = NULL;
    for (int j = 0; j < nsteps; j++) {
        const Node *s = steps[j];
        char a[64], b[64];
        const struct UnaryInfo *u = unary_lookup(s->op_type);
        if (u || strcmp(s->op_type, "Clip") == 0) {
            float alpha, beta;
            if (u)
                unary_params(s, u, &alpha, &beta);
            else
                clip_bounds(s, &alpha, &beta); /* known: ew_chain_step checked */
            float_literal(a, sizeof a, alpha);
            float_literal(b, sizeof b, beta);
            buf_printf(&text, "STEP_U(%s, ", u ? u->name : "Clip");
            chain_operand(&text, n, s->inputs[0], carried);
            buf_printf(&text, ", %s, %s)", a, b);
        } else {
            buf_printf(&text, "STEP_B(%s, ", s->op_type);
            chain_operand(&text, n, s->inputs[0], carried);
            buf_puts(&text, ", ");
            chain_operand(&text, n, s->inputs[1], carried);
            buf_puts(&text, ")");
        }
        carried = s->outputs[0];
    }
    kernel_str(k, "STEPS", text.data);
    buf_free(&text);
    const char *fn = kernel_end(e, k);
    Tensor *args[MAX_CHAIN_OPERANDS + 1];
    for (int i = 0; i < n->ninputs; i++)
        args[i] = n->inputs[i];
    args[n->ninputs] = y;
    emit_call(e, fn, args, n->ninputs + 1, n->ninputs, NULL);
    return 0;
}

static int emit_ew_chain(Emit *e, Node *n) {
    return emit_chain_steps(e, n, n->chain, n->nchain);
}

const OpDef op_ew_chain = {
    .name = "ElementwiseChain",
    .domain = "mlegen",
    .min_opset = 1,
    .infer = infer_ew_chain,
    .emit = emit_ew_chain,
    .types = "float",
};
