/*
 * attention.c - the private op Attention: MatMul -> (scale) -> (+ mask) ->
 * Softmax over the last axis -> MatMul as one kernel that goes one query
 * row at a time (templates/attention.m4), so the [.., S, T] score and
 * probability tensors are never stored. passes/fuse_attention.c builds the
 * node; models cannot name the op (it is not in the public table of ops.c).
 *
 * Node: inputs a [.., S, D], bt [.., D, T], v [.., T, DV] (equal leading
 * dimensions), mask (or none): the scores' element i adds mask[i % mask_len]
 * (attribute); attributes a_op / a_c (the scaling
 * of a before the first product) and s_op / s_c (of the scores after it):
 * ATTN_NONE, ATTN_MUL or ATTN_DIV by a constant.
 */
#include "ops.h"

static const char *const scale_ops[] = {"none", "mul", "div"};

static bool attn_dims(const Node *n, int64_t *batch, int64_t *s, int64_t *d, int64_t *t,
                      int64_t *dv) {
    const Tensor *a = n->inputs[0], *b = n->inputs[1], *v = n->inputs[2];
    int r = a->rank;
    if (r < 2 || b->rank != r || v->rank != r) return false;
    *batch = 1;
    for (int i = 0; i < r - 2; i++) {
        if (b->dims[i] != a->dims[i] || v->dims[i] != a->dims[i]) return false;
        *batch *= a->dims[i];
    }
    *s = a->dims[r - 2];
    *d = a->dims[r - 1];
    *t = b->dims[r - 1];
    *dv = v->dims[r - 1];
    return b->dims[r - 2] == *d && v->dims[r - 2] == *t;
}

static int infer_attention(Graph *gr, Node *n) {
    (void)gr;
    int64_t batch, s, d, t, dv, dims[MAX_RANK];
    if (!attn_dims(n, &batch, &s, &d, &t, &dv)) return -1;
    const Tensor *a = n->inputs[0];
    for (int i = 0; i < a->rank - 1; i++)
        dims[i] = a->dims[i];
    dims[a->rank - 1] = dv;
    set_out(n, 0, DT_FLOAT, a->rank, dims);
    return 0;
}

/* Query rows per block: RB x NJ accumulators (NJ vectors of 16 columns of
   T or DV, at most 4) fit the 32 AVX-512 registers with room for the
   shared loads: 4 rows, 8 when a block is at most two vectors wide. */
static int64_t attn_rows(const Node *n) {
    const Tensor *b = n->inputs[1], *v = n->inputs[2];
    int64_t t = b->dims[b->rank - 1], dv = v->dims[v->rank - 1];
    return t <= 32 && dv <= 32 ? 8 : 4;
}

static int64_t scratch_attention(const Node *n, const Options *opt) {
    (void)opt;
    const Tensor *a = n->inputs[0], *b = n->inputs[1];
    if (a->rank < 2 || b->rank < 2) return 0;
    int64_t scaled = attr_int(n, "a_op", ATTN_NONE) != ATTN_NONE ? a->dims[a->rank - 1] : 0;
    return attn_rows(n) * (2 * b->dims[b->rank - 1] + scaled) * 4;
}

static int emit_attention(Emit *e, Node *n) {
    int64_t batch, s, d, t, dv;
    if (!attn_dims(n, &batch, &s, &d, &t, &dv)) return -1;
    Tensor *mask = node_input(n, 3);
    int64_t mlen = attr_int(n, "mask_len", 1);
    int64_t aop = attr_int(n, "a_op", ATTN_NONE), sop = attr_int(n, "s_op", ATTN_NONE);
    Kernel *k = kernel_begin(e, "attention");
    kernel_int(k, "BATCH", batch);
    kernel_int(k, "S", s);
    kernel_int(k, "D", d);
    kernel_int(k, "T", t);
    kernel_int(k, "DV", dv);
    kernel_str(k, "AOP", scale_ops[aop]);
    kernel_float(k, "AC", attr_float(n, "a_c", 1.0f));
    kernel_str(k, "SOP", scale_ops[sop]);
    kernel_float(k, "SC", attr_float(n, "s_c", 1.0f));
    kernel_int(k, "HAS_MASK", mask != NULL);
    kernel_int(k, "MLEN", mlen);
    kernel_int(k, "RB", attn_rows(n));
    const char *fn = kernel_end(e, k);
    const char *se = emit_scratch(e, "float", scratch_attention(n, emit_options(e)));
    if (mask)
        emit_stmt(e, "%s(%C, %C, %C, %C, %T, %s);", fn, n->inputs[0], n->inputs[1], n->inputs[2],
                  mask, n->outputs[0], se);
    else
        emit_stmt(e, "%s(%C, %C, %C, 0, %T, %s);", fn, n->inputs[0], n->inputs[1], n->inputs[2],
                  n->outputs[0], se);
    return 0;
}

const OpDef op_attention = {
    .name = "Attention",
    .domain = "mlegen",
    .min_opset = 1,
    .infer = infer_attention,
    .emit = emit_attention,
    .types = "float",
    .scratch = scratch_attention,
};
