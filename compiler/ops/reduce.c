/*
 * reduce.c - reductions: Reduce{Sum,Mean,Max,Min,Prod,L1,L2,LogSum,
 * LogSumExp,SumSquare}, ArgMax/ArgMin, the softmax relatives LogSoftmax and
 * Hardmax, CumSum and TopK.
 *
 * A reduction over any set of axes is one kernel (templates/reduce.m4)
 * that walks the kept dimensions in the outer loop and the reduced ones in
 * the inner loop, each with its own odometer of input strides, so no
 * transpose is ever needed. Ops reducing along a single axis (ArgMax,
 * LogSoftmax, Hardmax, CumSum) view the input as [OUTER, DIM, INNER] and
 * use simpler templates. Accumulation is in double for floating types and
 * in 64-bit integers otherwise, so results match numpy's within tolerance.
 */
#include "ops.h"

#include <math.h>
#include <string.h>

/* Numeric types a reduction kernel can be instantiated on (C arithmetic). */
static bool numeric_dtype(DType t) {
    switch (t) {
    case DT_FLOAT:
    case DT_DOUBLE:
    case DT_INT8:
    case DT_INT16:
    case DT_INT32:
    case DT_INT64:
    case DT_UINT8:
    case DT_UINT16:
    case DT_UINT32:
    case DT_UINT64:
        return true;
    default:
        return false;
    }
}

static bool need_numeric(Node *n, const Tensor *t) {
    if (numeric_dtype(t->dtype)) return true;
    error_at_node(n, "input '%s' has type %s, which %s does not support", t->name,
                  dtype_name(t->dtype), n->op_type);
    return false;
}

/* The C type reductions accumulate in. */
static const char *acc_ctype(DType t) {
    if (dtype_is_float(t)) return "double";
    if (t == DT_UINT8 || t == DT_UINT16 || t == DT_UINT32 || t == DT_UINT64) return "uint64_t";
    return "int64_t";
}

/* ---------------------------------------------------------------- Reduce* */

/* Which input axes are reduced (mask), or false after reporting. Axes come
   from the attribute, or from input 1 (ReduceSum since 13, the others since
   18), which must then be a compile-time constant: the output shape
   depends on it. *noop is set for an empty axes list with
   noop_with_empty_axes=1 (the op is then an identity). */
static bool reduce_axes(Node *n, bool *mask, bool *noop) {
    Tensor *x = n->inputs[0];
    int64_t axes[MAX_RANK];
    int naxes = -1;
    *noop = false;
    Tensor *ta = node_input(n, 1);
    if (ta) {
        if (!need_const(n, ta, "axes")) return false;
        int64_t cnt = tensor_numel(ta);
        if (cnt > MAX_RANK) {
            error_at_node(n, "too many axes (%lld)", (long long)cnt);
            return false;
        }
        naxes = (int)cnt;
        for (int i = 0; i < naxes; i++)
            axes[i] = tensor_get_i64(ta, i);
    } else {
        naxes = attr_ints(n, "axes", axes, MAX_RANK);
    }
    for (int i = 0; i < x->rank; i++)
        mask[i] = naxes <= 0;
    if (naxes == 0 && attr_int(n, "noop_with_empty_axes", 0)) {
        for (int i = 0; i < x->rank; i++)
            mask[i] = false;
        *noop = true;
    }
    for (int i = 0; i < naxes; i++) {
        if (!norm_axis(n, &axes[i], x->rank, "axis")) return false;
        mask[axes[i]] = true;
    }
    return true;
}

int infer_reduce(Graph *g, Node *n) {
    (void)g;
    if (!need_inputs(n, 1, 2)) return -1;
    Tensor *x = n->inputs[0];
    if (!need_numeric(n, x)) return -1;
    bool mask[MAX_RANK], noop;
    if (!reduce_axes(n, mask, &noop)) return -1;
    bool keep = attr_int(n, "keepdims", 1) != 0;
    int64_t dims[MAX_RANK];
    int r = 0;
    for (int i = 0; i < x->rank; i++) {
        if (!mask[i])
            dims[r++] = x->dims[i];
        else if (keep)
            dims[r++] = 1;
    }
    set_out(n, 0, x->dtype, r, dims);
    return 0;
}

/* Appends dimension (d, stride) to a list, merging it into the previous one
   when the two are contiguous, so a reduction over trailing axes becomes a
   single flat loop. */
static void push_dim(int64_t *dims, int64_t *strides, int *n, int64_t d, int64_t s) {
    if (d == 1) return;
    if (*n > 0 && strides[*n - 1] == s * d) {
        dims[*n - 1] *= d;
        strides[*n - 1] = s;
        return;
    }
    dims[*n] = d;
    strides[*n] = s;
    (*n)++;
}

/* The kept and reduced dimensions of a reduction with their input strides,
   merged where contiguous and padded to at least one each. */
static void reduce_layout(Node *n, int64_t *kd, int64_t *ks, int *nk, int64_t *rd, int64_t *rs,
                          int *nr) {
    Tensor *x = n->inputs[0];
    bool mask[MAX_RANK], noop;
    reduce_axes(n, mask, &noop);
    int64_t stride[MAX_RANK];
    int64_t s = 1;
    *nk = *nr = 0;
    for (int i = x->rank - 1; i >= 0; i--) {
        stride[i] = s;
        s *= x->dims[i];
    }
    for (int i = 0; i < x->rank; i++) {
        if (mask[i])
            push_dim(rd, rs, nr, x->dims[i], stride[i]);
        else
            push_dim(kd, ks, nk, x->dims[i], stride[i]);
    }
    /* C has no zero-length arrays: pad with a unit dimension. */
    if (*nk == 0) kd[0] = 1, ks[0] = 0, *nk = 1;
    if (*nr == 0) rd[0] = 1, rs[0] = 0, *nr = 1;
}

/* Advances an odometer over dims/strides; returns the offset change. */
static int64_t odometer_step(int64_t *idx, const int64_t *dims, const int64_t *strides, int n) {
    int64_t delta = 0;
    for (int d = n - 1; d >= 0; d--) {
        delta += strides[d];
        if (++idx[d] < dims[d]) return delta;
        delta -= strides[d] * dims[d];
        idx[d] = 0;
    }
    return delta;
}

/* Same loops as templates/reduce.m4, in double (exact for the integer
   shape arithmetic folding is mostly for) or int64 for integer types. */
int fold_reduce(Graph *g, Node *n) {
    Tensor *x = n->inputs[0], *y = n->outputs[0];
    if (x->dtype == DT_UINT64) return 1;
    const char *op = n->op_type + strlen("Reduce");
    bool ints = !dtype_is_float(x->dtype);
    int64_t kd[MAX_RANK], ks[MAX_RANK], rd[MAX_RANK], rs[MAX_RANK], kidx[MAX_RANK] = {0};
    int nk, nr;
    reduce_layout(n, kd, ks, &nk, rd, rs, &nr);
    int64_t nred = numel_of(nr, rd), base = 0;
    alloc_const(g, y);
    for (int64_t o = 0; o < tensor_numel(y); o++) {
        int64_t ridx[MAX_RANK] = {0}, off = base;
        double acc = !strcmp(op, "Prod") ? 1 : 0;
        int64_t iacc = !strcmp(op, "Prod") ? 1 : 0;
        for (int64_t r = 0; r < nred; r++) {
            double v = tensor_get_f64(x, off);
            int64_t iv = tensor_get_i64(x, off);
            bool first = r == 0;
            if (!strcmp(op, "Max")) {
                if (first || v > acc) acc = v, iacc = iv;
            } else if (!strcmp(op, "Min")) {
                if (first || v < acc) acc = v, iacc = iv;
            } else if (!strcmp(op, "Prod")) {
                acc *= v, iacc *= iv;
            } else if (!strcmp(op, "L1")) {
                acc += fabs(v), iacc += iv < 0 ? -iv : iv;
            } else if (!strcmp(op, "L2") || !strcmp(op, "SumSquare")) {
                acc += v * v, iacc += iv * iv;
            } else if (!strcmp(op, "LogSumExp")) {
                acc += exp(v);
            } else {
                acc += v, iacc += iv;
            }
            off += odometer_step(ridx, rd, rs, nr);
        }
        if (!strcmp(op, "Mean")) acc /= (double)nred, iacc /= nred;
        if (!strcmp(op, "L2")) acc = sqrt(acc), iacc = (int64_t)sqrt((double)iacc);
        if (!strcmp(op, "LogSum") || !strcmp(op, "LogSumExp"))
            acc = log(acc), iacc = (int64_t)log((double)iacc);
        if (!strcmp(op, "LogSumExp") && ints) iacc = (int64_t)acc;
        tensor_put(y, o, acc, iacc, ints);
        base += odometer_step(kidx, kd, ks, nk);
    }
    return 0;
}

int emit_reduce(Emit *e, Node *n) {
    Tensor *x = n->inputs[0], *y = n->outputs[0];
    int64_t kd[MAX_RANK], ks[MAX_RANK], rd[MAX_RANK], rs[MAX_RANK];
    int nk, nr;
    reduce_layout(n, kd, ks, &nk, rd, rs, &nr);
    Kernel *k = kernel_begin(e, "reduce");
    kernel_str(k, "OP", n->op_type + strlen("Reduce"));
    kernel_str(k, "T", dtype_ctype(x->dtype));
    kernel_str(k, "ACC", acc_ctype(x->dtype));
    kernel_int(k, "NOUT", tensor_numel(y));
    kernel_int(k, "NRED", numel_of(nr, rd));
    kernel_int(k, "KRANK", nk);
    kernel_ints(k, "KDIMS", kd, nk);
    kernel_ints(k, "KSTR", ks, nk);
    kernel_int(k, "RRANK", nr);
    kernel_ints(k, "RDIMS", rd, nr);
    kernel_ints(k, "RSTR", rs, nr);
    const char *fn = kernel_end(e, k);
    emit_stmt(e, "%s(%C, %T);", fn, x, y);
    return 0;
}

/* ---------------------------------------------------------------- single axis */

/* ArgMax / ArgMin: int64 indices along one axis. */
int infer_argmax(Graph *g, Node *n) {
    (void)g;
    if (!need_inputs(n, 1, 1)) return -1;
    Tensor *x = n->inputs[0];
    if (!need_numeric(n, x)) return -1;
    int64_t axis = attr_int(n, "axis", 0);
    if (!norm_axis(n, &axis, x->rank, "axis")) return -1;
    if (x->rank > 0 && x->dims[axis] == 0) {
        error_at_node(n, "%s along an empty axis has no answer", n->op_type);
        return -1;
    }
    bool keep = attr_int(n, "keepdims", 1) != 0;
    int64_t dims[MAX_RANK];
    int r = 0;
    for (int i = 0; i < x->rank; i++) {
        if (i != axis)
            dims[r++] = x->dims[i];
        else if (keep)
            dims[r++] = 1;
    }
    set_out(n, 0, DT_INT64, r, dims);
    return 0;
}

static bool argmax_better(const Node *n, double v, double best) {
    bool last = attr_int(n, "select_last_index", 0) != 0;
    if (strcmp(n->op_type, "ArgMax") == 0) return last ? v >= best : v > best;
    return last ? v <= best : v < best;
}

int fold_argmax(Graph *g, Node *n) {
    Tensor *x = n->inputs[0], *y = n->outputs[0];
    if (x->dtype == DT_INT64 || x->dtype == DT_UINT64) return 1; /* not exact in double */
    int64_t axis = attr_int(n, "axis", 0), outer, dim, inner;
    if (axis < 0) axis += x->rank;
    split_axis(x, axis, false, &outer, &dim, &inner);
    int64_t *out = alloc_const(g, y);
    for (int64_t o = 0; o < outer; o++)
        for (int64_t i = 0; i < inner; i++) {
            int64_t row = o * dim * inner + i, at = 0;
            double best = tensor_get_f64(x, row);
            for (int64_t d = 1; d < dim; d++) {
                double v = tensor_get_f64(x, row + d * inner);
                if (argmax_better(n, v, best)) best = v, at = d;
            }
            out[o * inner + i] = at;
        }
    return 0;
}

int emit_argmax(Emit *e, Node *n) {
    Tensor *x = n->inputs[0];
    int64_t axis = attr_int(n, "axis", 0), outer, dim, inner;
    if (axis < 0) axis += x->rank;
    split_axis(x, axis, false, &outer, &dim, &inner);
    Kernel *k = kernel_begin(e, "argmax");
    kernel_str(k, "T", dtype_ctype(x->dtype));
    /* Strict comparison keeps the first extreme; non-strict the last. */
    bool last = attr_int(n, "select_last_index", 0) != 0;
    bool max = strcmp(n->op_type, "ArgMax") == 0;
    kernel_str(k, "BETTER", max ? (last ? ">=" : ">") : (last ? "<=" : "<"));
    kernel_int(k, "OUTER", outer);
    kernel_int(k, "DIM", dim);
    kernel_int(k, "INNER", inner);
    const char *fn = kernel_end(e, k);
    emit_stmt(e, "%s(%C, %T);", fn, x, n->outputs[0]);
    return 0;
}

int infer_softmax_like(Graph *g, Node *n) {
    (void)g;
    if (!need_inputs(n, 1, 1)) return -1;
    Tensor *x = n->inputs[0];
    if (x->dtype != DT_FLOAT && x->dtype != DT_DOUBLE) {
        error_at_node(n, "input '%s' has type %s; only float and double are supported", x->name,
                      dtype_name(x->dtype));
        return -1;
    }
    int64_t axis = attr_int(n, "axis", n->opset < 13 ? 1 : -1);
    if (!norm_axis(n, &axis, x->rank, "axis")) return -1;
    set_out(n, 0, x->dtype, x->rank, x->dims);
    return 0;
}

int emit_softmax_like(Emit *e, Node *n) {
    Tensor *x = n->inputs[0];
    int64_t outer, dim, inner;
    split_axis(x, softmax_axis(n), n->opset < 13, &outer, &dim, &inner);
    Kernel *k = kernel_begin(e, "softmax_like");
    kernel_str(k, "OP", n->op_type);
    kernel_str(k, "T", dtype_ctype(x->dtype));
    kernel_int(k, "OUTER", outer);
    kernel_int(k, "DIM", dim);
    kernel_int(k, "INNER", inner);
    const char *fn = kernel_end(e, k);
    emit_stmt(e, "%s(%C, %T);", fn, x, n->outputs[0]);
    return 0;
}

/* CumSum: the output shape does not depend on the axis, so the axis input
   may be computed at run time; the kernel gets the input's dims and picks
   OUTER/DIM/INNER from the axis value when it runs. */
int infer_cumsum(Graph *g, Node *n) {
    (void)g;
    if (!need_inputs(n, 2, 2)) return -1;
    Tensor *x = n->inputs[0], *ax = n->inputs[1];
    if (!need_numeric(n, x)) return -1;
    if (tensor_numel(ax) != 1 || (ax->dtype != DT_INT32 && ax->dtype != DT_INT64)) {
        error_at_node(n, "axis '%s' must be an int32 or int64 scalar", ax->name);
        return -1;
    }
    if (ax->data) {
        int64_t a = tensor_get_i64(ax, 0);
        if (!norm_axis(n, &a, x->rank, "axis")) return -1;
    }
    set_out(n, 0, x->dtype, x->rank, x->dims);
    return 0;
}

int emit_cumsum(Emit *e, Node *n) {
    Tensor *x = n->inputs[0];
    int64_t dims[MAX_RANK];
    int rank = x->rank ? x->rank : 1;
    for (int i = 0; i < rank; i++)
        dims[i] = x->rank ? x->dims[i] : 1;
    Kernel *k = kernel_begin(e, "cumsum");
    kernel_str(k, "T", dtype_ctype(x->dtype));
    kernel_str(k, "TA", dtype_ctype(n->inputs[1]->dtype));
    kernel_int(k, "RANK", rank);
    kernel_ints(k, "DIMS", dims, rank);
    kernel_int(k, "EXCLUSIVE", attr_int(n, "exclusive", 0) != 0);
    kernel_int(k, "REVERSE", attr_int(n, "reverse", 0) != 0);
    const char *fn = kernel_end(e, k);
    emit_stmt(e, "%s(%C, %C, %T);", fn, x, n->inputs[1], n->outputs[0]);
    return 0;
}

/* TopK: the K largest (or smallest) along an axis with their indices. K
   decides the output shape, so it must be known at compile time. Ties keep
   the lower index first, as the ONNX reference's stable sort does. */
static bool topk_params(Node *n, int64_t *axis, int64_t *k) {
    Tensor *x = n->inputs[0];
    *axis = attr_int(n, "axis", -1);
    if (!norm_axis(n, axis, x->rank, "axis")) return false;
    if (n->opset < 10) {
        *k = attr_int(n, "k", -1);
    } else {
        Tensor *tk = n->inputs[1];
        if (!need_const(n, tk, "K")) return false;
        if (tensor_numel(tk) != 1) {
            error_at_node(n, "K '%s' must hold one value", tk->name);
            return false;
        }
        *k = tensor_get_i64(tk, 0);
    }
    if (*k < 0 || *k > x->dims[*axis]) {
        error_at_node(n, "K = %lld is out of range for a dimension of %lld", (long long)*k,
                      (long long)x->dims[*axis]);
        return false;
    }
    return true;
}

int infer_topk(Graph *g, Node *n) {
    (void)g;
    if (!need_inputs(n, n->opset < 10 ? 1 : 2, n->opset < 10 ? 1 : 2)) return -1;
    Tensor *x = n->inputs[0];
    if (!need_numeric(n, x)) return -1;
    int64_t axis, k;
    if (!topk_params(n, &axis, &k)) return -1;
    /* sorted=0 leaves the order unspecified: sorted order is a valid one. */
    int64_t dims[MAX_RANK];
    for (int i = 0; i < x->rank; i++)
        dims[i] = i == axis ? k : x->dims[i];
    set_out(n, 0, x->dtype, x->rank, dims);
    set_out(n, 1, DT_INT64, x->rank, dims);
    return 0;
}

int emit_topk(Emit *e, Node *n) {
    Tensor *x = n->inputs[0], *vals = node_output(n, 0), *idx = node_output(n, 1);
    int64_t axis, kk, outer, dim, inner;
    topk_params(n, &axis, &kk);
    split_axis(x, axis, false, &outer, &dim, &inner);
    Kernel *k = kernel_begin(e, "topk");
    kernel_str(k, "T", dtype_ctype(x->dtype));
    kernel_int(k, "OUTER", outer);
    kernel_int(k, "DIM", dim);
    kernel_int(k, "INNER", inner);
    kernel_int(k, "K", kk);
    kernel_int(k, "KBUF", kk > 0 ? kk : 1);
    kernel_int(k, "LARGEST", attr_int(n, "largest", 1) != 0);
    kernel_int(k, "HAS_VALUES", vals != NULL);
    kernel_int(k, "HAS_INDICES", idx != NULL);
    const char *fn = kernel_end(e, k);
    if (vals && idx)
        emit_stmt(e, "%s(%C, %T, %T);", fn, x, vals, idx);
    else if (vals)
        emit_stmt(e, "%s(%C, %T, 0);", fn, x, vals);
    else if (idx)
        emit_stmt(e, "%s(%C, 0, %T);", fn, x, idx);
    return 0;
}
