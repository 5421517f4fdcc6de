/*
 * batchnorm.c - BatchNormalization in the cases nn.c's folded form does not
 * cover: parameters fed at run time, and training mode, which normalizes
 * with the batch's own mean and (population) variance and also outputs the
 * updated running statistics: stat * momentum + batch_stat * (1 - momentum).
 * Constant inference-mode BatchNormalization still goes to nn.c, where it
 * folds into the preceding Conv or becomes a per-channel affine map.
 */
#include "ops.h"

static bool training(const Node *n) {
    return attr_int(n, "training_mode", 0) != 0 || node_output(n, 1) || node_output(n, 2);
}

static bool params_const(const Node *n) {
    for (int i = 1; i < 5; i++)
        if (!n->inputs[i] || !n->inputs[i]->data) return false;
    return true;
}

int infer_batchnorm_any(Graph *g, Node *n) {
    (void)g;
    if (!need_inputs(n, 5, 5)) return -1;
    Tensor *x = n->inputs[0];
    if (!need_dtype_float(n, x, "input")) return -1;
    if (x->rank < 2) {
        error_at_node(n, "input '%s' must have rank >= 2", x->name);
        return -1;
    }
    for (int i = 1; i < 5; i++) {
        Tensor *p = n->inputs[i];
        if (p->rank != 1 || p->dims[0] != x->dims[1] || p->dtype != DT_FLOAT) {
            error_at_node(n, "parameter '%s' must be float [%lld]", p->name, (long long)x->dims[1]);
            return -1;
        }
    }
    set_out(n, 0, DT_FLOAT, x->rank, x->dims);
    if (training(n)) {
        set_out(n, 1, DT_FLOAT, 1, x->dims + 1);
        set_out(n, 2, DT_FLOAT, 1, x->dims + 1);
    }
    return 0;
}

int emit_batchnorm_any(Emit *e, Node *n) {
    if (!training(n) && params_const(n)) return emit_batchnorm(e, n);
    Tensor *x = n->inputs[0], *rm = node_output(n, 1), *rv = node_output(n, 2);
    int64_t c = x->dims[1];
    Kernel *k = kernel_begin(e, "batchnorm");
    kernel_int(k, "NB", x->dims[0]);
    kernel_int(k, "C", c);
    kernel_int(k, "INNER", tensor_numel(x) / (x->dims[0] * c));
    kernel_int(k, "TRAINING", training(n));
    kernel_float(k, "EPSILON", attr_float(n, "epsilon", 1e-5f));
    kernel_float(k, "MOMENTUM", attr_float(n, "momentum", 0.9f));
    const char *fn = kernel_end(e, k);
    Tensor *args[8] = {x, n->inputs[1], n->inputs[2], n->inputs[3], n->inputs[4], n->outputs[0], rm,
                       rv};
    emit_call(e, fn, args, 8, 5, NULL);
    return 0;
}
