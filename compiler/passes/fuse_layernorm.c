/*
 * fuse_layernorm.c - the LayerNorm that exporters without a LayerNormalization
 * op (ONNX opset < 17, e.g. PyTorch's) spell out in nine nodes:
 *
 *     m = ReduceMean(x, last axis)    d = x - m
 *     v = ReduceMean(Pow(d, 2))       y = d / Sqrt(v + eps) * gamma + beta
 *
 * becomes one LayerNormalization(x, gamma, beta, axis=-1, epsilon=eps): one
 * pass over each row instead of nine kernels and eight intermediate tensors.
 * Statistics are then computed in double (normalize.m4), which is at least
 * as accurate as the float chain it replaces. Only exact matches are
 * rewritten: every intermediate has the one reader the pattern gives it
 * (d has two: Pow and Div), gamma and beta are constants over the last axis.
 */
#include "passes.h"

#include <string.h>

static bool is_op(const Node *n, const char *op) {
    return n && !n->dead && !*n->domain && strcmp(n->op_type, op) == 0;
}

/* ReduceMean over the last axis only, axes as attribute, dims kept. */
static bool mean_last_axis(const Node *n) {
    if (!is_op(n, "ReduceMean") || n->ninputs != 1 || !attr_int(n, "keepdims", 1)) return false;
    int64_t axes[2];
    int na = attr_ints(n, "axes", axes, 2);
    int rank = n->inputs[0]->rank;
    return na == 1 && rank >= 1 && (axes[0] == -1 || axes[0] == rank - 1);
}

/* The value of a constant float scalar (any shape with one element). */
static bool const_scalar(const Tensor *t, float *v) {
    if (!t || !t->data || t->dtype != DT_FLOAT || tensor_numel(t) != 1) return false;
    *v = *(const float *)t->data;
    return true;
}

/* The operand of binary node n that is not t (NULL if both are t). */
static Tensor *other_input(const Node *n, const Tensor *t) {
    if (n->ninputs != 2) return NULL;
    if (n->inputs[0] == t && n->inputs[1] != t) return n->inputs[1];
    if (n->inputs[1] == t && n->inputs[0] != t) return n->inputs[0];
    return NULL;
}

/* A constant float vector over the last axis (numel = its length). */
static bool const_row(const Tensor *t, int64_t len) {
    return t && t->data && t->dtype == DT_FLOAT && tensor_numel(t) == len && t->rank >= 1 &&
           t->dims[t->rank - 1] == len;
}

/* The reader of d other than `not`, when d has exactly two. */
static Node *second_user(Graph *g, Tensor *d, const Node * not ) {
    if (d->is_output || d->nuses != 2) return NULL;
    for (int i = 0; i < g->nnodes; i++) {
        Node *n = g->nodes[i];
        if (n->dead || n == not ) continue;
        if (n->epi.residual == d) return NULL;
        for (int j = 0; j < n->ninputs; j++)
            if (n->inputs[j] == d) return n;
    }
    return NULL;
}

static bool try_fuse(Graph *g, Node *r1) {
    Tensor *x = r1->inputs[0];
    int64_t c = x->dims[x->rank - 1];
    float two, eps;
    if (x->dtype != DT_FLOAT) return false;
    Node *sub = single_user(g, r1->outputs[0]);
    if (!is_op(sub, "Sub") || sub->inputs[0] != x || sub->inputs[1] != r1->outputs[0]) return false;
    Tensor *d = sub->outputs[0];
    if (!tensor_same_shape(d, x)) return false;
    Node *pw = NULL, *div = NULL;
    for (int i = 0; i < g->nnodes && !pw; i++)
        if (is_op(g->nodes[i], "Pow") && g->nodes[i]->inputs[0] == d) pw = g->nodes[i];
    if (!pw || !const_scalar(pw->inputs[1], &two) || two != 2.0f) return false;
    div = second_user(g, d, pw);
    if (!is_op(div, "Div") || div->inputs[0] != d) return false;
    Node *r2 = single_user(g, pw->outputs[0]);
    if (!mean_last_axis(r2) || r2->inputs[0] != pw->outputs[0]) return false;
    Node *add_eps = single_user(g, r2->outputs[0]);
    if (!is_op(add_eps, "Add") || !const_scalar(other_input(add_eps, r2->outputs[0]), &eps))
        return false;
    Node *sq = single_user(g, add_eps->outputs[0]);
    if (!is_op(sq, "Sqrt") || single_user(g, sq->outputs[0]) != div ||
        div->inputs[1] != sq->outputs[0])
        return false;
    Node *mul = single_user(g, div->outputs[0]);
    Tensor *gamma = mul && is_op(mul, "Mul") ? other_input(mul, div->outputs[0]) : NULL;
    if (!const_row(gamma, c) || !tensor_same_shape(mul->outputs[0], x)) return false;
    Node *add_b = single_user(g, mul->outputs[0]);
    Tensor *beta = add_b && is_op(add_b, "Add") ? other_input(add_b, mul->outputs[0]) : NULL;
    if (!const_row(beta, c) || !tensor_same_shape(add_b->outputs[0], x)) return false;

    Node *ln = graph_add_node(g, "LayerNormalization", add_b->name, 3, 1);
    ln->op = op_lookup("", "LayerNormalization");
    ln->inputs[0] = x;
    ln->inputs[1] = gamma;
    ln->inputs[2] = beta;
    ln->outputs[0] = add_b->outputs[0];
    ln->outputs[0]->producer = ln;
    ln->nattrs = 2;
    ln->attrs = pool_alloc(g->pool, 2 * sizeof(Attr));
    ln->attrs[0] = (Attr){.name = "axis", .type = ATTR_INT, .i = -1};
    ln->attrs[1] = (Attr){.name = "epsilon", .type = ATTR_FLOAT, .f = eps};
    Node *gone[9] = {r1, sub, pw, r2, add_eps, sq, div, mul, add_b};
    for (int i = 0; i < 9; i++) {
        gone[i]->dead = true;
        note_fused(g, ln, gone[i]);
    }
    return true;
}

int pass_fuse_layernorm(Graph *g, const Options *opt) {
    (void)opt;
    int changes = 0;
    graph_recount(g);
    int n0 = g->nnodes; /* nodes added here need no visit */
    for (int i = 0; i < n0; i++) {
        Node *n = g->nodes[i];
        if (!mean_last_axis(n) || !try_fuse(g, n)) continue;
        graph_recount(g);
        n0 = g->nnodes;
        i = -1; /* recount compacted the node array */
        changes++;
    }
    return changes;
}
