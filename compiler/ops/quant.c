/*
 * quant.c - quantization ops: QuantizeLinear, DequantizeLinear (per tensor
 * or per axis), DynamicQuantizeLinear, MatMulInteger and QLinearMatMul.
 *
 * Scales and zero points are read at run time (they are often graph
 * inputs); only their shapes must be static. Rounding is half to even
 * (nearbyint in the default rounding mode), saturation to the output type's
 * range, as the ONNX spec says.
 */
#include "ops.h"

#include <string.h>

static bool need_q8(Node *n, const Tensor *t, const char *what) {
    if (t->dtype == DT_UINT8 || t->dtype == DT_INT8) return true;
    error_at_node(n, "%s '%s' must be uint8 or int8, not %s", what, t->name, dtype_name(t->dtype));
    return false;
}

static int64_t qmin_of(DType t) {
    return t == DT_INT8 ? -128 : 0;
}
static int64_t qmax_of(DType t) {
    return t == DT_INT8 ? 127 : 255;
}

/* ---------------------------------------------------------------- QuantizeLinear, DequantizeLinear
 */

/* Per-tensor (scale has 1 value) or per-axis (one value per entry of axis). */
static bool q_axis(Node *n, int64_t *outer, int64_t *ad, int64_t *inner) {
    Tensor *x = n->inputs[0], *s = n->inputs[1], *zp = node_input(n, 2);
    *outer = tensor_numel(x), *ad = 1, *inner = 1;
    if (tensor_numel(s) == 1 && s->rank <= 1) {
        if (zp && tensor_numel(zp) != 1) {
            error_at_node(n, "zero point and scale must have the same shape");
            return false;
        }
        return true;
    }
    int64_t axis = attr_int(n, "axis", 1);
    if (s->rank != 1 || !norm_axis(n, &axis, x->rank, "axis") || s->dims[0] != x->dims[axis]) {
        error_at_node(n, "scale '%s' must be a scalar or 1-D with one value per entry of the axis",
                      s->name);
        return false;
    }
    if (zp && tensor_numel(zp) != s->dims[0]) {
        error_at_node(n, "zero point and scale must have the same shape");
        return false;
    }
    split_axis(x, axis, false, outer, ad, inner);
    return true;
}

int infer_quantize(Graph *g, Node *n) {
    (void)g;
    if (!need_inputs(n, 2, 3)) return -1;
    Tensor *x = n->inputs[0], *s = n->inputs[1], *zp = node_input(n, 2);
    bool dq = strcmp(n->op_type, "DequantizeLinear") == 0;
    int64_t o, a, in;
    if (!need_dtype_float(n, s, "scale") || !q_axis(n, &o, &a, &in)) return -1;
    if (dq) {
        if (x->dtype != DT_INT32 && !need_q8(n, x, "input")) return -1;
        if (zp && zp->dtype != x->dtype) {
            error_at_node(n, "zero point '%s' must have the input's type", zp->name);
            return -1;
        }
        set_out(n, 0, DT_FLOAT, x->rank, x->dims);
    } else {
        if (!need_dtype_float(n, x, "input") || (zp && !need_q8(n, zp, "zero point"))) return -1;
        set_out(n, 0, zp ? zp->dtype : DT_UINT8, x->rank, x->dims);
    }
    return 0;
}

int emit_quantize(Emit *e, Node *n) {
    Tensor *x = n->inputs[0], *s = n->inputs[1], *zp = node_input(n, 2), *y = n->outputs[0];
    bool dq = strcmp(n->op_type, "DequantizeLinear") == 0;
    int64_t outer, ad, inner;
    q_axis(n, &outer, &ad, &inner);
    Kernel *k = kernel_begin(e, "quantize");
    kernel_str(k, "MODE", dq ? "dq" : "q");
    kernel_str(k, "TX", dtype_ctype(x->dtype));
    kernel_str(k, "TY", dtype_ctype(y->dtype));
    kernel_str(k, "TZ", dtype_ctype(dq ? x->dtype : y->dtype));
    kernel_int(k, "OUTER", outer);
    kernel_int(k, "AXIS_DIM", ad);
    kernel_int(k, "INNER", inner);
    kernel_int(k, "HAS_ZP", zp != NULL);
    kernel_int(k, "QMIN", qmin_of(y->dtype));
    kernel_int(k, "QMAX", qmax_of(y->dtype));
    const char *fn = kernel_end(e, k);
    if (zp)
        emit_stmt(e, "%s(%C, %C, %C, %T);", fn, x, s, zp, y);
    else
        emit_stmt(e, "%s(%C, %C, 0, %T);", fn, x, s, y);
    return 0;
}

/* ---------------------------------------------------------------- DynamicQuantizeLinear */

int infer_dynquant(Graph *g, Node *n) {
    (void)g;
    if (!need_inputs(n, 1, 1)) return -1;
    Tensor *x = n->inputs[0];
    if (!need_dtype_float(n, x, "input")) return -1;
    set_out(n, 0, DT_UINT8, x->rank, x->dims);
    set_out(n, 1, DT_FLOAT, 0, NULL);
    set_out(n, 2, DT_UINT8, 0, NULL);
    return 0;
}

int emit_dynquant(Emit *e, Node *n) {
    Tensor *x = n->inputs[0], *y = n->outputs[0], *ys = node_output(n, 1), *yz = node_output(n, 2);
    Kernel *k = kernel_begin(e, "dynquant");
    kernel_int(k, "N", tensor_numel(x));
    const char *fn = kernel_end(e, k);
    /* Scale and zero point are computed into locals when not wanted. */
    if (ys && yz)
        emit_stmt(e, "%s(%C, %T, %T, %T);", fn, x, y, ys, yz);
    else if (ys)
        emit_stmt(e, "%s(%C, %T, %T, 0);", fn, x, y, ys);
    else if (yz)
        emit_stmt(e, "%s(%C, %T, 0, %T);", fn, x, y, yz);
    else
        emit_stmt(e, "%s(%C, %T, 0, 0);", fn, x, y);
    return 0;
}

/* ---------------------------------------------------------------- MatMulInteger, QLinearMatMul */

/* Inputs: MatMulInteger (a, b, a_zp, b_zp); QLinearMatMul (a, a_scale,
   a_zp, b, b_scale, b_zp, y_scale, y_zp). Both operands have rank >= 2;
   leading (batch) dims broadcast. */
static bool is_qlinear(const Node *n) {
    return strcmp(n->op_type, "QLinearMatMul") == 0;
}

typedef struct MmGeom {
    int rank;
    int64_t m, k, nn, nbatch;
    int64_t bd[MAX_RANK], as[MAX_RANK], bs[MAX_RANK]; /* batch dims, element strides */
} MmGeom;

static bool mm_geom(Node *n, MmGeom *mg) {
    bool q = is_qlinear(n);
    Tensor *a = n->inputs[0], *b = n->inputs[q ? 3 : 1];
    if (a->rank < 2 || b->rank < 2) {
        error_at_node(n, "operands must have rank 2 or more");
        return false;
    }
    mg->m = a->dims[a->rank - 2], mg->k = a->dims[a->rank - 1], mg->nn = b->dims[b->rank - 1];
    if (b->dims[b->rank - 2] != mg->k) {
        error_at_node(n, "inner dimensions differ: %lld and %lld", (long long)mg->k,
                      (long long)b->dims[b->rank - 2]);
        return false;
    }
    Tensor ab = {.rank = a->rank - 2}, bb = {.rank = b->rank - 2};
    memcpy(ab.dims, a->dims, sizeof(int64_t) * (size_t)ab.rank);
    memcpy(bb.dims, b->dims, sizeof(int64_t) * (size_t)bb.rank);
    if (!broadcast_shape(n, &ab, &bb, &mg->rank, mg->bd)) return false;
    broadcast_strides(&ab, mg->rank, mg->bd, mg->as);
    broadcast_strides(&bb, mg->rank, mg->bd, mg->bs);
    mg->nbatch = numel_of(mg->rank, mg->bd);
    for (int i = 0; i < mg->rank; i++)
        mg->as[i] *= mg->m * mg->k, mg->bs[i] *= mg->k * mg->nn;
    if (mg->rank == 0) mg->rank = 1, mg->bd[0] = 1, mg->as[0] = 0, mg->bs[0] = 0;
    return true;
}

int infer_matmul_integer(Graph *g, Node *n) {
    (void)g;
    bool q = is_qlinear(n);
    if (!need_inputs(n, q ? 8 : 2, q ? 8 : 4)) return -1;
    Tensor *a = n->inputs[0], *b = n->inputs[q ? 3 : 1];
    Tensor *azp = node_input(n, 2), *bzp = node_input(n, q ? 5 : 3);
    MmGeom mg;
    if (!need_q8(n, a, "A") || !need_q8(n, b, "B") || !mm_geom(n, &mg)) return -1;
    if ((azp && tensor_numel(azp) != 1 && tensor_numel(azp) != mg.m) ||
        (bzp && tensor_numel(bzp) != 1 && tensor_numel(bzp) != mg.nn)) {
        error_at_node(n, "zero points must be scalars, per row of A or per column of B");
        return -1;
    }
    int64_t d[MAX_RANK];
    int r = 0;
    for (int i = 0; i < mg.rank && !(mg.rank == 1 && a->rank == 2 && b->rank == 2); i++)
        d[r++] = mg.bd[i];
    d[r++] = mg.m, d[r++] = mg.nn;
    if (q) {
        Tensor *yzp = n->inputs[7];
        if (!need_q8(n, yzp, "y_zero_point")) return -1;
        if (!need_dtype_float(n, n->inputs[1], "a_scale") ||
            !need_dtype_float(n, n->inputs[4], "b_scale") ||
            !need_dtype_float(n, n->inputs[6], "y_scale"))
            return -1;
        if (tensor_numel(n->inputs[1]) != 1 || tensor_numel(n->inputs[6]) != 1 ||
            (tensor_numel(n->inputs[4]) != 1 && tensor_numel(n->inputs[4]) != mg.nn)) {
            error_at_node(n, "scales must be scalars (b_scale may be per column)");
            return -1;
        }
        set_out(n, 0, yzp->dtype, r, d);
    } else {
        set_out(n, 0, DT_INT32, r, d);
    }
    return 0;
}

int emit_matmul_integer(Emit *e, Node *n) {
    bool q = is_qlinear(n);
    Tensor *a = n->inputs[0], *b = n->inputs[q ? 3 : 1], *y = n->outputs[0];
    Tensor *azp = node_input(n, 2), *bzp = node_input(n, q ? 5 : 3);
    MmGeom mg;
    mm_geom(n, &mg);
    Kernel *k = kernel_begin(e, "matmul_integer");
    kernel_str(k, "TA", dtype_ctype(a->dtype));
    kernel_str(k, "TB", dtype_ctype(b->dtype));
    kernel_str(k, "TY", dtype_ctype(y->dtype));
    kernel_int(k, "M", mg.m);
    kernel_int(k, "K", mg.k);
    kernel_int(k, "NN", mg.nn);
    kernel_int(k, "NBATCH", mg.nbatch);
    kernel_int(k, "BRANK", mg.rank);
    kernel_ints(k, "BDIMS", mg.bd, mg.rank);
    kernel_ints(k, "ASTRIDES", mg.as, mg.rank);
    kernel_ints(k, "BSTRIDES", mg.bs, mg.rank);
    kernel_int(k, "AZP_N", azp ? tensor_numel(azp) : 0);
    kernel_int(k, "BZP_N", bzp ? tensor_numel(bzp) : 0);
    kernel_int(k, "QLINEAR", q);
    if (q) {
        kernel_int(k, "BS_N", tensor_numel(n->inputs[4]));
        kernel_int(k, "QMIN", qmin_of(y->dtype));
        kernel_int(k, "QMAX", qmax_of(y->dtype));
    }
    const char *fn = kernel_end(e, k);
    /* Absent zero points are stood in for by the operand itself (not read). */
    if (q)
        emit_stmt(e, "%s(%C, %C, %C, %C, %C, %C, %C, %C, %T);", fn, a, n->inputs[1], azp ? azp : a,
                  b, n->inputs[4], bzp ? bzp : b, n->inputs[6], n->inputs[7], y);
    else
        emit_stmt(e, "%s(%C, 0, %C, %C, 0, %C, 0, 0, %T);", fn, a, azp ? azp : a, b, bzp ? bzp : b,
                  y);
    return 0;
}
