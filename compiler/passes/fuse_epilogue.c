/*
 * fuse_epilogue.c - moves work into the epilogue of Conv / Gemm / MatMul
 * so the result is written once instead of read and rewritten:
 *   - a residual Add of a same-shaped tensor computed earlier,
 *   - then one activation (Relu, Clip, LeakyRelu, Sigmoid, Tanh, ...).
 * The order matches ResNet blocks: y = act(conv(x) + bias + shortcut).
 * Before them, MatMul by a constant matrix takes the Add of a constant row
 * vector that follows it as its bias (pass_fuse_bias), so that the residual
 * and activation after a Linear layer exported as MatMul + Add fuse too.
 */
#include "passes.h"

#include <string.h>

static bool has_epilogue(const Node *n) {
    return n->op && (n->op->flags & OPF_EPILOGUE);
}

/* Redirects producer p to write consumer c's output; c disappears. */
static void absorb(Graph *g, Node *p, Node *c) {
    p->outputs[0]->producer = NULL;
    p->outputs[0] = c->outputs[0];
    p->outputs[0]->producer = p;
    c->dead = true;
    note_fused(g, p, c);
}

/* A constant float operand that broadcasts as one row of n values: shape
   [n], [1, n], [1, 1, n], ... */
static bool const_row_of(const Tensor *c, int64_t n) {
    if (!c || !c->data || c->dtype != DT_FLOAT || c->rank < 1 || c->dims[c->rank - 1] != n)
        return false;
    return tensor_numel(c) == n;
}

/* MatMul(A, B) with B a constant matrix and A of rank >= 2 is the packed
   GEMM (nn.c emit_matmul), whose kernel adds a bias per column; the Add of
   a constant row after it becomes that bias. Other MatMuls (B at run time,
   batched B) keep their Add. */
int pass_fuse_bias(Graph *g, const Options *opt) {
    (void)opt;
    int changes = 0;
    graph_recount(g);
    for (int i = 0; i < g->nnodes; i++) {
        Node *p = g->nodes[i];
        if (p->dead || *p->domain || strcmp(p->op_type, "MatMul") != 0) continue;
        if (p->epi.bias || p->epi.residual || p->epi.act) continue;
        Tensor *a = p->inputs[0], *b = p->inputs[1], *y = p->outputs[0];
        if (!b->data || b->rank != 2 || a->rank < 2 || y->dtype != DT_FLOAT) continue;
        Node *add = single_user(g, y);
        if (!add || strcmp(add->op_type, "Add") != 0 || *add->domain) continue;
        Tensor *other = add->inputs[0] == y ? add->inputs[1] : add->inputs[0];
        if (!const_row_of(other, b->dims[1]) || !tensor_same_shape(add->outputs[0], y)) continue;
        p->epi.bias = other->data;
        absorb(g, p, add);
        graph_recount(g);
        changes++;
    }
    return changes;
}

int pass_fuse_residual(Graph *g, const Options *opt) {
    (void)opt;
    int changes = 0;
    graph_recount(g);
    for (int i = 0; i < g->nnodes; i++) {
        Node *p = g->nodes[i];
        if (p->dead || !has_epilogue(p) || p->epi.residual || p->epi.act) continue;
        Tensor *y = p->outputs[0];
        Node *add = single_user(g, y);
        if (!add || strcmp(add->op_type, "Add") != 0 || *add->domain) continue;
        Tensor *other = add->inputs[0] == y ? add->inputs[1] : add->inputs[0];
        if (other == y || !tensor_same_shape(other, y) || other->dtype != y->dtype) continue;
        if (!tensor_same_shape(add->outputs[0], y)) continue;
        /* The shortcut must already exist when p runs. */
        if (other->producer && other->producer->id >= p->id) continue;
        p->epi.residual = other;
        absorb(g, p, add);
        graph_recount(g);
        changes++;
    }
    return changes;
}

int pass_fuse_activation(Graph *g, const Options *opt) {
    (void)opt;
    int changes = 0;
    graph_recount(g);
    for (int i = 0; i < g->nnodes; i++) {
        Node *p = g->nodes[i];
        if (p->dead || !has_epilogue(p) || p->epi.act) continue;
        Node *a = single_user(g, p->outputs[0]);
        if (!a || a->inputs[0] != p->outputs[0]) continue;
        float alpha, beta;
        ActKind k = act_of_node(a, &alpha, &beta);
        if (k == ACT_NONE) continue;
        p->epi.act = k;
        p->epi.alpha = alpha;
        p->epi.beta = beta;
        absorb(g, p, a);
        graph_recount(g);
        changes++;
    }
    return changes;
}
