/*
 * fuse_attention.c - scaled dot-product attention as exporters spell it,
 *
 *     s = MatMul(a, bt)   [optionally a = Mul/Div(q, c) first]
 *     s = Mul/Div(s, c)   (optional)      s = Add(s, mask)   (optional)
 *     p = Softmax(s, last axis)           y = MatMul(p, v)
 *
 * becomes one Attention node (ops/attention.c, templates/attention.m4) that
 * computes a query row's scores, softmax and weighted sum of v together:
 * the [.., S, T] scores and probabilities (per head and query) are never
 * written. Scalings are kept where the graph has them, so the values are
 * those of the unfused nodes up to the order of the sums.
 *
 * Conditions: float tensors; a, bt and v of one rank with equal leading
 * (batch) dimensions (no broadcasting); the scalings by constant scalars;
 * the mask any tensor that repeats along the scores row by row (a [T] row,
 * an [S, T] matrix, or the scores' own shape); every intermediate read
 * only by the next node and not a graph output. Runs before the epilogue
 * passes, which would otherwise take the mask Add into the first MatMul.
 */
#include "passes.h"

#include <string.h>

static bool is_op(const Node *n, const char *op) {
    return n && !n->dead && !*n->domain && strcmp(n->op_type, op) == 0 &&
           n->outputs[0]->dtype == DT_FLOAT;
}

/* The producer of t when its only reader is `reader` (so the producer's
   output can disappear into the fused node). */
static Node *sole_producer(Graph *g, Tensor *t, Node *reader) {
    Node *p = t->producer;
    if (!p || p->dead || single_user(g, t) != reader) return NULL;
    return p;
}

/* n = Mul(x, c) / Mul(c, x) / Div(x, c) with c a constant float scalar: the
   scaling kind, c and x. */
static int scaling(const Node *n, float *c, Tensor **x) {
    bool mul = is_op(n, "Mul"), div = is_op(n, "Div");
    if ((!mul && !div) || n->ninputs != 2) return ATTN_NONE;
    for (int i = 0; i < 2; i++) {
        const Tensor *k = n->inputs[1 - i];
        if (div && i == 1) break; /* c / x is not a scaling */
        if (!k->data || k->dtype != DT_FLOAT || tensor_numel(k) != 1) continue;
        *c = *(const float *)k->data;
        *x = n->inputs[i];
        return mul ? ATTN_MUL : ATTN_DIV;
    }
    return ATTN_NONE;
}

/* MatMul operands of one rank >= 2 with equal leading dimensions. */
static bool same_batch(const Tensor *a, const Tensor *b) {
    if (a->rank < 2 || a->rank != b->rank || a->dtype != DT_FLOAT || b->dtype != DT_FLOAT)
        return false;
    for (int i = 0; i < a->rank - 2; i++)
        if (a->dims[i] != b->dims[i]) return false;
    return true;
}

typedef struct {
    Node *nodes[6]; /* in graph order: a-scaling, MatMul, scaling, Add, Softmax, MatMul */
    int nnodes;
    Tensor *a, *bt, *v, *mask;
    int a_op, s_op;
    float a_c, s_c;
    int64_t mask_len;
} Match;

static void add_node(Match *m, Node *n) {
    memmove(m->nodes + 1, m->nodes, (size_t)m->nnodes * sizeof(Node *));
    m->nodes[0] = n;
    m->nnodes++;
}

/* Walks back from the Softmax to the first MatMul. */
static bool match(Graph *g, Node *sm, Match *m) {
    Tensor *s = sm->inputs[0];
    if (!is_op(sm, "Softmax") || s->rank < 2 || softmax_axis(sm) != s->rank - 1) return false;
    Node *mm2 = single_user(g, sm->outputs[0]);
    if (!is_op(mm2, "MatMul") || mm2->inputs[0] != sm->outputs[0]) return false;
    memset(m, 0, sizeof *m);
    m->nodes[m->nnodes++] = sm;
    m->nodes[m->nnodes++] = mm2;
    m->v = mm2->inputs[1];
    Node *reader = sm, *p = sole_producer(g, s, reader);
    if (is_op(p, "Add") && p->ninputs == 2) {
        /* the scores are the operand a MatMul or a scaling produced */
        Node *p0 = p->inputs[0]->producer;
        int si = p0 && (is_op(p0, "MatMul") || is_op(p0, "Mul") || is_op(p0, "Div")) ? 0 : 1;
        Tensor *mask = p->inputs[1 - si];
        if (!tensor_same_shape(p->inputs[si], s)) return false; /* the mask broadcasts it */
        int64_t len, inner, t = s->dims[s->rank - 1];
        if (mask->dtype != DT_FLOAT || !ew_operand_period(mask, s, &len, &inner) || inner != 1 ||
            len % t != 0)
            return false;
        m->mask = mask;
        m->mask_len = len;
        add_node(m, p);
        reader = p;
        p = sole_producer(g, p->inputs[si], reader);
    }
    Tensor *x;
    if (p && (m->s_op = scaling(p, &m->s_c, &x)) != ATTN_NONE) {
        if (!tensor_same_shape(x, p->outputs[0])) return false;
        add_node(m, p);
        reader = p;
        p = sole_producer(g, x, reader);
    }
    if (!is_op(p, "MatMul") || p->epi.bias || p->epi.residual || p->epi.act != ACT_NONE)
        return false;
    add_node(m, p);
    m->a = p->inputs[0];
    m->bt = p->inputs[1];
    Node *q = sole_producer(g, m->a, p);
    if (q && (m->a_op = scaling(q, &m->a_c, &x)) != ATTN_NONE && tensor_same_shape(x, m->a)) {
        add_node(m, q);
        m->a = x;
    }
    return same_batch(m->a, m->bt) && same_batch(m->a, m->v) &&
           m->bt->dims[m->bt->rank - 2] == m->a->dims[m->a->rank - 1] &&
           m->v->dims[m->v->rank - 2] == m->bt->dims[m->bt->rank - 1];
}

static void fuse(Graph *g, const Match *m) {
    Node *last = m->nodes[m->nnodes - 1];
    Node *f = graph_add_node(g, "Attention", last->name, 4, 1);
    f->domain = "mlegen";
    f->op = &op_attention;
    f->opset = last->opset;
    f->inputs[0] = m->a;
    f->inputs[1] = m->bt;
    f->inputs[2] = m->v;
    f->inputs[3] = m->mask;
    f->outputs[0] = last->outputs[0];
    f->outputs[0]->producer = f;
    f->nattrs = 5;
    f->attrs = pool_alloc(g->pool, 5 * sizeof(Attr));
    f->attrs[0] = (Attr){.name = "a_op", .type = ATTR_INT, .i = m->a_op};
    f->attrs[1] = (Attr){.name = "a_c", .type = ATTR_FLOAT, .f = m->a_c};
    f->attrs[2] = (Attr){.name = "s_op", .type = ATTR_INT, .i = m->s_op};
    f->attrs[3] = (Attr){.name = "s_c", .type = ATTR_FLOAT, .f = m->s_c};
    f->attrs[4] = (Attr){.name = "mask_len", .type = ATTR_INT, .i = m->mask ? m->mask_len : 1};
    for (int i = 0; i < m->nnodes; i++) {
        m->nodes[i]->dead = true;
        note_fused(g, f, m->nodes[i]);
    }
}

static bool try_fuse(Graph *g, Node *softmax) {
    Match m;
    if (!match(g, softmax, &m)) return false;
    fuse(g, &m);
    return true;
}

int pass_fuse_attention(Graph *g, const Options *opt) {
    (void)opt;
    return rewrite_nodes(g, try_fuse);
}
