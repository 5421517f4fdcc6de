/*
 * dynamic.c - operators whose output shape depends on input values:
 * NonZero, Unique and NonMaxSuppression.
 *
 * Their outputs are sized for the largest possible result (a bounded axis,
 * Tensor.bounded) and the kernels store the real extent where the caller
 * reads it with PREFIX_output_extent. Such an output may only be a graph
 * output: the planner refuses one that feeds other operators, since their
 * shapes would then depend on data too.
 */
#include "ops.h"

#include <string.h>

static void bound(Node *n, int i, int axis) {
    Tensor *t = node_output(n, i);
    if (!t) return;
    t->bounded = true;
    t->bounded_axis = axis;
}

/* ---------------------------------------------------------------- NonZero */

int infer_nonzero(Graph *g, Node *n) {
    (void)g;
    if (!need_inputs(n, 1, 1)) return -1;
    Tensor *x = n->inputs[0];
    if (!dtype_ctype(x->dtype) || x->dtype == DT_FLOAT16 || x->dtype == DT_BFLOAT16) {
        error_at_node(n, "type %s is not supported", dtype_name(x->dtype));
        return -1;
    }
    int64_t d[2] = {x->rank, tensor_numel(x)};
    set_out(n, 0, DT_INT64, 2, d);
    bound(n, 0, 1);
    return 0;
}

int emit_nonzero(Emit *e, Node *n) {
    Tensor *x = n->inputs[0];
    int64_t rank = x->rank ? x->rank : 1;
    int64_t dims[MAX_RANK] = {1};
    for (int i = 0; i < x->rank; i++)
        dims[i] = x->dims[i];
    Kernel *k = kernel_begin(e, "nonzero");
    kernel_str(k, "T", dtype_ctype(x->dtype));
    kernel_int(k, "N", tensor_numel(x));
    kernel_int(k, "RANK", rank);
    kernel_ints(k, "DIMS", dims, (int)rank);
    const char *fn = kernel_end(e, k);
    emit_stmt(e, "%s(%C, %T, %s);", fn, x, n->outputs[0], emit_extent(e, n->outputs[0]));
    return 0;
}

/* ---------------------------------------------------------------- Unique */

/* X as [outer, dim, inner] around the axis (no axis: flattened, outer = inner = 1). */
static void unique_split(const Node *n, int64_t *outer, int64_t *dim, int64_t *inner, int *axis) {
    const Tensor *x = n->inputs[0];
    const Attr *a = node_attr(n, "axis");
    *outer = *inner = 1;
    if (!a) {
        *dim = tensor_numel(x);
        *axis = -1;
        return;
    }
    int64_t ax = a->i < 0 ? a->i + x->rank : a->i;
    *axis = (int)ax;
    split_axis(x, ax, false, outer, dim, inner);
}

int infer_unique(Graph *g, Node *n) {
    (void)g;
    if (!need_inputs(n, 1, 1)) return -1;
    Tensor *x = n->inputs[0];
    if (!dtype_ctype(x->dtype) || x->dtype == DT_FLOAT16 || x->dtype == DT_BFLOAT16) {
        error_at_node(n, "type %s is not supported", dtype_name(x->dtype));
        return -1;
    }
    const Attr *a = node_attr(n, "axis");
    if (a && (a->i < -x->rank || a->i >= x->rank)) {
        error_at_node(n, "axis %lld is out of range for rank %d", (long long)a->i, x->rank);
        return -1;
    }
    int64_t outer, dim, inner;
    int axis;
    unique_split(n, &outer, &dim, &inner, &axis);
    if (axis < 0) {
        set_out(n, 0, x->dtype, 1, &dim);
        bound(n, 0, 0);
    } else {
        set_out(n, 0, x->dtype, x->rank, x->dims);
        bound(n, 0, axis);
    }
    set_out(n, 1, DT_INT64, 1, &dim);
    bound(n, 1, 0);
    set_out(n, 2, DT_INT64, 1, &dim);
    set_out(n, 3, DT_INT64, 1, &dim);
    bound(n, 3, 0);
    return 0;
}

int64_t scratch_unique(const Node *n, const Options *opt) {
    (void)opt;
    int64_t outer, dim, inner;
    int axis;
    unique_split(n, &outer, &dim, &inner, &axis);
    return 3 * dim * 8; /* order, first index, unique id of each slice */
}

int emit_unique(Emit *e, Node *n) {
    Tensor *x = n->inputs[0];
    int64_t outer, dim, inner;
    int axis;
    unique_split(n, &outer, &dim, &inner, &axis);
    Kernel *k = kernel_begin(e, "unique");
    kernel_str(k, "T", dtype_ctype(x->dtype));
    kernel_int(k, "OUTER", outer);
    kernel_int(k, "DIM", dim);
    kernel_int(k, "INNER", inner);
    kernel_int(k, "SORTED", attr_int(n, "sorted", 1) != 0);
    const char *fn = kernel_end(e, k);
    /* fn(x, y, indices, inverse, counts, extents..., scratch); absent outputs are null. */
    Tensor *args[5] = {x, node_output(n, 0), node_output(n, 1), node_output(n, 2),
                       node_output(n, 3)};
    Buf tail = {0};
    for (int i = 0; i < 4; i++) {
        Tensor *o = node_output(n, i);
        buf_printf(&tail, "%s, ", o && o->bounded ? emit_extent(e, o) : "0");
    }
    buf_puts(&tail, emit_scratch(e, "int64_t", scratch_unique(n, emit_options(e))));
    emit_call(e, fn, args, 5, 1, tail.data);
    buf_free(&tail);
    return 0;
}

/* ---------------------------------------------------------------- NonMaxSuppression */

int infer_nms(Graph *g, Node *n) {
    (void)g;
    if (!need_inputs(n, 2, 5)) return -1;
    Tensor *boxes = n->inputs[0], *scores = n->inputs[1];
    if (!need_dtype_float(n, boxes, "boxes") || !need_dtype_float(n, scores, "scores")) return -1;
    if (boxes->rank != 3 || boxes->dims[2] != 4 || scores->rank != 3 ||
        scores->dims[0] != boxes->dims[0] || scores->dims[2] != boxes->dims[1]) {
        error_at_node(n, "boxes must be [B, N, 4] and scores [B, C, N]");
        return -1;
    }
    Tensor *m = node_input(n, 2), *iou = node_input(n, 3), *sth = node_input(n, 4);
    if ((m && (m->dtype != DT_INT64 || tensor_numel(m) != 1)) ||
        (iou && (iou->dtype != DT_FLOAT || tensor_numel(iou) != 1)) ||
        (sth && (sth->dtype != DT_FLOAT || tensor_numel(sth) != 1))) {
        error_at_node(
            n, "max_output_boxes_per_class must be an int64 scalar, the thresholds float scalars");
        return -1;
    }
    int64_t d[2] = {scores->dims[0] * scores->dims[1] * boxes->dims[1], 3};
    set_out(n, 0, DT_INT64, 2, d);
    bound(n, 0, 0);
    return 0;
}

int64_t scratch_nms(const Node *n, const Options *opt) {
    (void)opt;
    return n->inputs[0]->dims[1] * 2 * 8; /* candidate order + selected list */
}

int emit_nms(Emit *e, Node *n) {
    Tensor *boxes = n->inputs[0], *scores = n->inputs[1];
    Kernel *k = kernel_begin(e, "nms");
    kernel_int(k, "B", boxes->dims[0]);
    kernel_int(k, "C", scores->dims[1]);
    kernel_int(k, "N", boxes->dims[1]);
    kernel_int(k, "CENTER", attr_int(n, "center_point_box", 0) != 0);
    const char *fn = kernel_end(e, k);
    Tensor *args[6] = {boxes,        scores, node_input(n, 2), node_input(n, 3), node_input(n, 4),
                       n->outputs[0]};
    const char *tail = pool_printf(emit_graph(e)->pool, "%s, %s", emit_extent(e, n->outputs[0]),
                                   emit_scratch(e, "int64_t", scratch_nms(n, emit_options(e))));
    emit_call(e, fn, args, 6, 5, tail);
    return 0;
}
