/*
 * gridsample.c - GridSample (opset 16): samples a 4-D input at the
 * normalized coordinates of a grid, with bilinear, nearest or bicubic
 * interpolation and zeros, border or reflection padding
 * (templates/gridsample.m4).
 */
#include "ops.h"

#include <string.h>

static bool gs_params(Node *n, const char **mode, const char **pad) {
    *mode = attr_str(n, "mode", "bilinear");
    *pad = attr_str(n, "padding_mode", "zeros");
    if (strcmp(*mode, "bilinear") && strcmp(*mode, "nearest") && strcmp(*mode, "bicubic")) {
        error_at_node(n, "mode '%s' is not bilinear, nearest or bicubic", *mode);
        return false;
    }
    if (strcmp(*pad, "zeros") && strcmp(*pad, "border") && strcmp(*pad, "reflection")) {
        error_at_node(n, "padding_mode '%s' is not zeros, border or reflection", *pad);
        return false;
    }
    return true;
}

int infer_gridsample(Graph *g, Node *n) {
    (void)g;
    if (!need_inputs(n, 2, 2)) return -1;
    Tensor *x = n->inputs[0], *grid = n->inputs[1];
    if (!need_dtype_float(n, x, "input") || !need_dtype_float(n, grid, "grid")) return -1;
    if (!need_rank(n, x, "input", 4) || !need_rank(n, grid, "grid", 4)) return -1;
    if (grid->dims[0] != x->dims[0] || grid->dims[3] != 2) {
        error_at_node(n, "grid '%s' must be [%lld, H_out, W_out, 2]", grid->name,
                      (long long)x->dims[0]);
        return -1;
    }
    const char *mode, *pad;
    if (!gs_params(n, &mode, &pad)) return -1;
    int64_t d[4] = {x->dims[0], x->dims[1], grid->dims[1], grid->dims[2]};
    set_out(n, 0, DT_FLOAT, 4, d);
    return 0;
}

int emit_gridsample(Emit *e, Node *n) {
    Tensor *x = n->inputs[0], *grid = n->inputs[1];
    const char *mode, *pad;
    if (!gs_params(n, &mode, &pad)) return -1;
    Kernel *k = kernel_begin(e, "gridsample");
    kernel_int(k, "NB", x->dims[0]);
    kernel_int(k, "C", x->dims[1]);
    kernel_int(k, "H", x->dims[2]);
    kernel_int(k, "W", x->dims[3]);
    kernel_int(k, "OH", grid->dims[1]);
    kernel_int(k, "OW", grid->dims[2]);
    kernel_str(k, "MODE", mode);
    kernel_str(k, "PAD", pad);
    kernel_int(k, "ALIGN", attr_int(n, "align_corners", 0) != 0);
    const char *fn = kernel_end(e, k);
    emit_stmt(e, "%s(%C, %C, %T);", fn, x, grid, n->outputs[0]);
    return 0;
}
