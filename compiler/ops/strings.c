/*
 * strings.c - operators on string tensors: StringNormalizer (Cast to and
 * from strings lives with Cast in shape.c).
 *
 * A string element is a `const char *` (NUL-terminated UTF-8). Kernels
 * that only select strings copy the pointers; kernels that make new text
 * write it into their scratch, which the planner keeps to the end of the
 * run (OPF_KEEP_SCRATCH) because the pointers may travel to any later
 * tensor. That text is bounded by --max-string-bytes per string, so the
 * arena stays static; a longer input makes the run function return
 * non-zero instead of overflowing.
 */
#include "ops.h"

#include <string.h>

/* ---------------------------------------------------------------- StringNormalizer */

/* LOWER, UPPER or NONE as the template's CASE: lower, upper, none. */
static const char *case_action(const Node *n) {
    const char *a = attr_str(n, "case_change_action", "NONE");
    if (strcmp(a, "LOWER") == 0) return "lower";
    if (strcmp(a, "UPPER") == 0) return "upper";
    if (strcmp(a, "NONE") == 0) return "none";
    return NULL;
}

static int stopword_count(const Node *n) {
    const Attr *a = node_attr(n, "stopwords");
    return a && a->type == ATTR_STRINGS ? a->n : 0;
}

/* The spec allows [C] and [1, C]. Without stopwords the output has the
   input's shape; with them its last axis holds at most C strings (at least
   one: all dropped gives [""]) and the real count is known at run time. */
int infer_string_normalizer(Graph *g, Node *n) {
    (void)g;
    if (!need_inputs(n, 1, 1)) return -1;
    Tensor *x = n->inputs[0];
    if (x->dtype != DT_STRING) {
        error_at_node(n, "input '%s' is %s, expected string", x->name, dtype_name(x->dtype));
        return -1;
    }
    if (x->rank != 1 && !(x->rank == 2 && x->dims[0] == 1)) {
        char b[128];
        error_at_node(n, "input '%s' has shape %s; StringNormalizer takes [C] or [1, C]", x->name,
                      shape_str(x, b, sizeof b));
        return -1;
    }
    if (!case_action(n)) {
        error_at_node(n, "case_change_action '%s' is not LOWER, UPPER or NONE",
                      attr_str(n, "case_change_action", ""));
        return -1;
    }
    const Attr *sw = node_attr(n, "stopwords");
    if (sw && sw->type != ATTR_STRINGS) {
        error_at_node(n, "attribute 'stopwords' must be a list of strings");
        return -1;
    }
    int64_t d[2] = {1, 1};
    int axis = x->rank - 1;
    d[axis] = x->dims[axis] > 0 ? x->dims[axis] : 1;
    set_out(n, 0, DT_STRING, x->rank, d);
    Tensor *y = node_output(n, 0);
    if (y && stopword_count(n) > 0) {
        y->bounded = true;
        y->bounded_axis = axis;
    }
    return 0;
}

/* One slot of max_string_bytes + 1 per input string, only when the case
   changes: otherwise the output points at the input strings. */
int64_t scratch_string_normalizer(const Node *n, const Options *opt) {
    const char *c = case_action(n);
    if (!c || strcmp(c, "none") == 0) return 0;
    return tensor_numel(n->inputs[0]) * (opt->max_string_bytes + 1);
}

int emit_string_normalizer(Emit *e, Node *n) {
    Tensor *x = n->inputs[0], *y = n->outputs[0];
    const Attr *sw = node_attr(n, "stopwords");
    int nstop = stopword_count(n);
    int64_t chars = scratch_string_normalizer(n, emit_options(e));
    Kernel *k = kernel_begin(e, "string_normalizer");
    kernel_int(k, "N", tensor_numel(x));
    kernel_str(k, "CASE", case_action(n));
    kernel_int(k, "CASE_SENSITIVE", attr_int(n, "is_case_sensitive", 0) != 0);
    kernel_int(k, "NSTOP", nstop);
    kernel_int(k, "MAXLEN", emit_options(e)->max_string_bytes);
    const char *fn = kernel_end(e, k);
    const char *stop =
        nstop ? emit_const_array(e, DT_STRING, sw->strings, nstop, "stopwords") : "0";
    emit_stmt(e, "if (%s(%C, %T, %s, %s, %s) != 0) return 1;", fn, x, y,
              chars ? emit_scratch(e, "char", chars) : "0", stop,
              y->bounded ? emit_extent(e, y) : "0");
    return 0;
}
