/*
 * training.c - the optimizer update ops of ai.onnx.preview.training:
 * Adagrad, Momentum (standard and Nesterov) and Adam. Each takes the
 * learning rate R and the step count T (scalars, read at run time), then n
 * tensors X, n gradients G and the optimizer's state tensors, and outputs
 * the updated X and states. One kernel call per optimized tensor.
 */
#include "ops.h"

#include <string.h>

/* State tensor groups after X and G: Adagrad H; Momentum V; Adam V, H. */
static int state_groups(const Node *n) {
    return n->op_type[1] == 'd' && n->op_type[2] == 'a' && n->op_type[3] == 'm' ? 2 : 1;
}

int infer_optimizer(Graph *g, Node *n) {
    (void)g;
    int groups = 2 + state_groups(n);
    if (n->ninputs < 2 + groups || (n->ninputs - 2) % groups != 0) {
        error_at_node(n, "expects R, T and %d groups of tensors", groups);
        return -1;
    }
    if (!need_inputs(n, n->ninputs, n->ninputs)) return -1;
    int cnt = (n->ninputs - 2) / groups;
    Tensor *r = n->inputs[0], *t = n->inputs[1];
    if (tensor_numel(r) != 1 || r->dtype != DT_FLOAT || tensor_numel(t) != 1 ||
        t->dtype != DT_INT64) {
        error_at_node(n, "R must be a float scalar and T an int64 scalar");
        return -1;
    }
    if (n->noutputs > (groups - 1) * cnt) {
        error_at_node(n, "has %d outputs, at most %d", n->noutputs, (groups - 1) * cnt);
        return -1;
    }
    for (int i = 0; i < cnt; i++) {
        Tensor *x = n->inputs[2 + i];
        if (!need_dtype_float(n, x, "X")) return -1;
        for (int k = 1; k < groups; k++)
            if (!tensor_same_shape(n->inputs[2 + k * cnt + i], x)) {
                error_at_node(n, "tensor '%s' differs in shape from '%s'",
                              n->inputs[2 + k * cnt + i]->name, x->name);
                return -1;
            }
        for (int k = 0; k < groups - 1; k++)
            set_out(n, k * cnt + i, DT_FLOAT, x->rank, x->dims);
    }
    return 0;
}

int emit_optimizer(Emit *e, Node *n) {
    int groups = 2 + state_groups(n), cnt = (n->ninputs - 2) / groups;
    const char *kind = strcmp(n->op_type, "Adagrad") == 0                         ? "adagrad"
                       : strcmp(n->op_type, "Adam") == 0                          ? "adam"
                       : strcmp(attr_str(n, "mode", "standard"), "nesterov") == 0 ? "nesterov"
                                                                                  : "momentum";
    for (int i = 0; i < cnt; i++) {
        Tensor *x = n->inputs[2 + i], *gr = n->inputs[2 + cnt + i];
        Tensor *s1 = n->inputs[2 + 2 * cnt + i],
               *s2 = groups == 4 ? n->inputs[2 + 3 * cnt + i] : NULL;
        Tensor *xo = node_output(n, i), *o1 = node_output(n, cnt + i),
               *o2 = node_output(n, 2 * cnt + i);
        Kernel *k = kernel_begin(e, "optimizer");
        kernel_str(k, "KIND", kind);
        kernel_int(k, "N", tensor_numel(x));
        kernel_float(k, "ALPHA", attr_float(n, "alpha", strcmp(kind, "adam") == 0 ? 0.9f : 0.0f));
        kernel_float(k, "BETA", attr_float(n, "beta", strcmp(kind, "adam") == 0 ? 0.999f : 0.0f));
        kernel_float(k, "EPSILON", attr_float(n, "epsilon", 1e-6f)); /* both schemas' default */
        kernel_float(k, "DECAY", attr_float(n, "decay_factor", 0.0f));
        kernel_float(k, "NORM", attr_float(n, "norm_coefficient", 0.0f));
        kernel_float(k, "NORM_POST", attr_float(n, "norm_coefficient_post", 0.0f));
        kernel_int(k, "HAS_XO", xo != NULL);
        kernel_int(k, "HAS_O1", o1 != NULL);
        kernel_int(k, "HAS_O2", o2 != NULL);
        const char *fn = kernel_end(e, k);
        /* fn(r, t, x, g, s1, s2, xo, o1, o2): absent tensors are null. */
        Tensor *args[9] = {n->inputs[0], n->inputs[1], x, gr, s1, s2, xo, o1, o2};
        emit_call(e, fn, args, 9, 6, NULL);
    }
    return 0;
}
