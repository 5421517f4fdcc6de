/*
 * diag.c - compiler-style diagnostics.
 *
 * Every message names the model file and, where there is one, the node or
 * tensor: `model.onnx: node 'conv_3' (Conv): weight has rank 3, expected 4`.
 * Errors are counted, not fatal, so one run reports everything it can.
 */
#include "mlegen.h"

static const char *file = "mlegen";
static int nerrors;
static int limit = 50;
static bool quiet;

void diag_set_file(const char *path) {
    file = path;
}
const char *diag_file(void) {
    return file;
}
int diag_count(void) {
    return nerrors;
}
void diag_reset(void) {
    nerrors = 0;
}
void diag_set_limit(int max_errors) {
    limit = max_errors;
}
void diag_set_quiet(bool q) {
    quiet = q;
}

static void report(const char *kind, const char *where, const char *fmt, va_list ap) {
    bool is_error = kind[0] == 'e';
    if (is_error) nerrors++;
    if (quiet) return;
    if (is_error && nerrors > limit) {
        if (nerrors == limit + 1) fprintf(stderr, "%s: too many errors, stopping the list\n", file);
        return;
    }
    fprintf(stderr, "%s: %s%s", file, where ? where : "", where ? ": " : "");
    if (!is_error) fprintf(stderr, "warning: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void error_at_node(const Node *n, const char *fmt, ...) {
    char where[512];
    snprintf(where, sizeof where, "node '%s' (%s%s%s)", n->name,
             n->domain && *n->domain ? n->domain : "", n->domain && *n->domain ? "." : "",
             n->op_type);
    va_list ap;
    va_start(ap, fmt);
    report("error", where, fmt, ap);
    va_end(ap);
}

void error_at_tensor(const Tensor *t, const char *fmt, ...) {
    char where[512];
    snprintf(where, sizeof where, "tensor '%s'", t->name);
    va_list ap;
    va_start(ap, fmt);
    report("error", where, fmt, ap);
    va_end(ap);
}

void error_model(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    report("error", NULL, fmt, ap);
    va_end(ap);
}

void warn_model(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    report("warning", NULL, fmt, ap);
    va_end(ap);
}
