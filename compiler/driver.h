/* driver.h - the compile pipeline shared by `mlegen` and `mlegen check`. */
#ifndef MLEGEN_DRIVER_H
#define MLEGEN_DRIVER_H

#include "mlegen.h"

#define MAX_BINDINGS 64

typedef struct Binding {
    const char *name;       /* --dim: symbol; --shape: input name */
    int rank;               /* --shape only, else -1 */
    int64_t dims[MAX_RANK]; /* --dim: dims[0] */
} Binding;

typedef struct CompileRequest {
    const char *model;
    const char *out_c; /* OUT.c; OUT.h is written beside it */
    Options opt;
    LoadOptions load;
    int ndims, nshapes;
    Binding dims[MAX_BINDINGS], shapes[MAX_BINDINGS];
    int nconsts; /* --const INPUT=FILE.pb: an input fixed at compile time */
    struct {
        const char *name, *file;
    } consts[MAX_BINDINGS];
    bool report; /* print a summary to stderr */
} CompileRequest;

/* Exit status: 0 ok, 1 bad or unsupported model. */
int compile_model(const CompileRequest *req);
/* Prints the support report; returns the number of unsupported ops. */
int support_report(Graph *g, FILE *out, bool only_problems);
int run_check(int argc, char **argv);
void request_defaults(CompileRequest *req);
/* Parses "AxBxC" into dims; -1 on error. */
int parse_shape(const char *s, int64_t *dims);
const char *default_template_dir(void);
const char *default_runtime_dir(void);
/* check_strings.c: string tensors in the harness's files (NUL-terminated). */
bool write_strings(const char *path, const Tensor *t);
bool read_strings(const char *path, Tensor *t, Pool *p);
bool compare_strings(int k, const Tensor *want, const Tensor *got);

#endif
