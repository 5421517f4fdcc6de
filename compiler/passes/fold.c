/*
 * fold.c - constant folding: a node whose inputs are all constant is
 * evaluated at compile time by its op's fold function and removed.
 * Shape inference already folds as it goes (so shape subgraphs resolve);
 * this pass catches what later rewrites made constant.
 */
#include "passes.h"

int pass_fold(Graph *g, const Options *opt) {
    (void)opt;
    int changes = 0;
    for (int i = 0; i < g->nnodes; i++) {
        Node *n = g->nodes[i];
        if (n->dead || !n->op || !n->op->fold || (n->op->flags & OPF_NO_FOLD)) continue;
        bool all_const = true;
        for (int k = 0; k < n->ninputs; k++)
            if (n->inputs[k] && !n->inputs[k]->data) all_const = false;
        if (!all_const || n->epi.residual || n->epi.act) continue;
        int rc = n->op->fold(g, n);
        if (rc < 0) return -1;
        if (rc > 0) continue;
        n->dead = true;
        for (int k = 0; k < n->noutputs; k++)
            if (n->outputs[k]) n->outputs[k]->producer = NULL;
        changes++;
    }
    return changes;
}
