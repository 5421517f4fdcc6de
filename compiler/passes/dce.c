/*
 * dce.c - dead-code elimination: drops nodes none of whose outputs reach a
 * graph output. Walks backwards from the outputs over the sorted graph.
 */
#include "passes.h"

#include <stdlib.h>

int pass_dce(Graph *g, const Options *opt) {
    (void)opt;
    graph_recount(g);
    bool *needed = calloc((size_t)g->ntensors + 1, 1);
    if (!needed) return -1;
    for (int i = 0; i < g->noutputs; i++)
        needed[g->outputs[i]->id] = true;
    int changes = 0;
    for (int i = g->nnodes - 1; i >= 0; i--) {
        Node *n = g->nodes[i];
        bool live = false;
        for (int k = 0; k < n->noutputs; k++)
            if (n->outputs[k] && needed[n->outputs[k]->id]) live = true;
        if (!live) {
            n->dead = true;
            changes++;
            continue;
        }
        for (int k = 0; k < n->ninputs; k++)
            if (n->inputs[k]) needed[n->inputs[k]->id] = true;
        if (n->epi.residual) needed[n->epi.residual->id] = true;
    }
    free(needed);
    graph_recount(g);
    return changes;
}
