/*
 * passes.c - the pass table and its runner.
 *
 * Every pass has the same signature and runs on the whole graph; the graph
 * is re-sorted and (with --verify-passes, always in tests) verified after
 * each one, so a broken rewrite is caught at the pass that made it.
 */
#include "passes.h"

static const Pass pass_table[] = {
    {"fold-constants", 0, pass_fold},
    {"eliminate-dead-code", 0, pass_dce},
    {"fuse-conv-batchnorm", 1, pass_fuse_conv_bn},
    {"fuse-layernorm", 1, pass_fuse_layernorm},
    {"fuse-residual-add", 1, pass_fuse_residual},
    {"fuse-activation", 1, pass_fuse_activation},
    {"eliminate-dead-code", 0, pass_dce},
};

int run_passes(Graph *g, const Options *opt) {
    for (size_t i = 0; i < sizeof pass_table / sizeof pass_table[0]; i++) {
        const Pass *p = &pass_table[i];
        if (opt->opt_level < p->min_opt) continue;
        if (p->run(g, opt) < 0) return -1;
        if (graph_toposort(g) < 0) return -1;
        if (opt->verify && graph_verify(g, p->name) < 0) return -1;
    }
    return 0;
}

/* Appends "'name' (Op)" of a node folded into `into` for the emitted comment. */
void note_fused(Graph *g, Node *into, const Node *from) {
    const char *prev = into->fused ? into->fused : "";
    into->fused = pool_printf(g->pool, "%s + '%s' (%s)%s", prev, from->name, from->op_type,
                              from->fused ? from->fused : "");
}

/* The single live consumer of t, or NULL if it has none or several or t is
   a graph output (then its value must stay visible). */
Node *single_user(Graph *g, Tensor *t) {
    if (t->is_output || t->nuses != 1) return NULL;
    for (int i = 0; i < g->nnodes; i++) {
        Node *n = g->nodes[i];
        if (n->dead) continue;
        for (int j = 0; j < n->ninputs; j++)
            if (n->inputs[j] == t) return n;
        if (n->epi.residual == t) return NULL;
    }
    return NULL;
}
