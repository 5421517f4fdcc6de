/*
 * fuse_elementwise.c - chains of element-wise operators become one loop.
 *
 * A chain is a run of float nodes n1 -> n2 -> ... -> nk (k >= 2) in which each
 * ni+1 is the only reader of ni's output, every output has the chain's
 * shape, and every other operand is a tensor whose values repeat along the
 * output in one run of dimensions (a same-shaped tensor, a scalar, a row,
 * a [C, 1, 1] channel vector: ew_operand_period). Exporters write GELU as
 * Div, Erf, Add, Mul, Mul; SiLU as Sigmoid, Mul; a bias and activation after
 * a batched MatMul as Add, Relu. Fused, the intermediate tensors are never
 * stored: one read of each operand and one write of the result instead of
 * one per step. The steps stay in the graph's pool (dead) for the emitter,
 * which writes one statement per step (templates/ew_chain.m4), so the
 * result is bit-identical to the unfused kernels'.
 *
 * Runs after the epilogue passes: an activation right after a Conv, Gemm or
 * MatMul is better fused there (no pass over memory at all).
 */
#include "passes.h"

#include <string.h>

/* Whether t can be read by the chain as an operand of an output like y. */
static bool operand_ok(const Tensor *t, const Tensor *y) {
    int64_t len, inner;
    return t && t->dtype == DT_FLOAT && ew_operand_period(t, y, &len, &inner);
}

/* Whether s may be a step with output shape y: after the step whose
   output `carried` it reads once, or first (carried NULL). */
static bool step_ok(const Node *s, const Tensor *carried, const Tensor *y) {
    if (!ew_chain_step(s) || !tensor_same_shape(s->outputs[0], y)) return false;
    int uses = 0;
    for (int i = 0; i < s->ninputs; i++) {
        const Tensor *t = s->inputs[i];
        if (!t) continue; /* Clip's omitted bound */
        if (t == carried) {
            uses++;
            continue;
        }
        /* Clip's bounds are constants folded into the step, not operands. */
        if (i > 0 && strcmp(s->op_type, "Clip") == 0) continue;
        if (!operand_ok(t, y)) return false;
    }
    return carried ? uses == 1 : true;
}

/* Adds t to the run-time operands of f unless it is there already or is a
   constant scalar (inlined); returns false past MAX_CHAIN_OPERANDS. */
static bool add_operand(Tensor **ops, int *nops, Tensor *t) {
    if (t->data && tensor_numel(t) == 1) return true;
    for (int i = 0; i < *nops; i++)
        if (ops[i] == t) return true;
    if (*nops == MAX_CHAIN_OPERANDS) return false;
    ops[(*nops)++] = t;
    return true;
}

/* The operands a step brings, given the value it carries. */
static bool collect(const Node *s, const Tensor *carried, Tensor **ops, int *nops) {
    int n = strcmp(s->op_type, "Clip") == 0 ? 1 : s->ninputs;
    for (int i = 0; i < n; i++)
        if (s->inputs[i] != carried && !add_operand(ops, nops, s->inputs[i])) return false;
    return true;
}

/* Replaces steps[0..k) by one ElementwiseChain node. */
static void fuse(Graph *g, Node **steps, int k, Tensor **ops, int nops) {
    Node *last = steps[k - 1];
    Node *f = graph_add_node(g, "ElementwiseChain", steps[0]->name, nops, 1);
    f->domain = "mlegen";
    f->op = &op_ew_chain;
    f->opset = 1;
    for (int i = 0; i < nops; i++)
        f->inputs[i] = ops[i];
    f->chain = pool_alloc(g->pool, sizeof(Node *) * (size_t)k);
    f->nchain = k;
    for (int j = 0; j < k; j++) {
        f->chain[j] = steps[j];
        steps[j]->dead = true;
        note_fused(g, f, steps[j]);
    }
    f->outputs[0] = last->outputs[0];
    f->outputs[0]->producer = f;
}

int pass_fuse_elementwise(Graph *g, const Options *opt) {
    (void)opt;
    int changes = 0;
    graph_recount(g);
    int nnodes = g->nnodes; /* nodes added here are not starts */
    for (int i = 0; i < nnodes; i++) {
        Node *head = g->nodes[i];
        if (head->dead) continue;
        /* The chain's shape is its last output's; every step keeps it. */
        Tensor *y = head->outputs[0];
        if (!step_ok(head, NULL, y)) continue;
        Node *steps[64];
        Tensor *ops[MAX_CHAIN_OPERANDS];
        int k = 0, nops = 0;
        if (!collect(head, NULL, ops, &nops)) continue;
        steps[k++] = head;
        for (;;) {
            Node *next = single_user(g, steps[k - 1]->outputs[0]);
            Tensor *carried = steps[k - 1]->outputs[0];
            int saved = nops;
            if (!next || k == 64 || !step_ok(next, carried, y)) break;
            if (!collect(next, carried, ops, &nops)) {
                nops = saved;
                break;
            }
            steps[k++] = next;
        }
        if (k < 2) continue;
        fuse(g, steps, k, ops, nops);
        graph_recount(g);
        changes++;
    }
    return changes;
}
