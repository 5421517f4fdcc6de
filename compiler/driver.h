/* driver.h - the compile pipeline shared by `mlegen` and `mlegen check`. */
#ifndef MLEGEN_DRIVER_H
#define MLEGEN_DRIVER_H

#include "mlegen.h"

#define MAX_BINDINGS 64

typedef struct Binding {
    const char *name;       /* --dim: symbol; --shape: input name */
    int rank;               /* --shape only, else -1 */
    int64_t dims[MAX_RANK]; /* --dim: dims[0]; --seq: length, -1 for --empty */
    bool loose;             /* --shape from check's data: when it conflicts with the
                               model, the model's shape stands if nothing reads the input */
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
    int nseqs;   /* --seq INPUT=N, --empty INPUT: sequence and optional inputs */
    Binding seqs[MAX_BINDINGS];
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

/* seq.c: sequence and optional values at the generated API, flattened into
   tensors: a sequence x of n elements is the tensors x.0 ... x.(n-1), a
   present optional x is x itself (or x.0 ... for an optional sequence), an
   empty optional is absent. */
int bind_values(Graph *g, const CompileRequest *req); /* inputs; returns #errors */
int flatten_outputs(Graph *g);                        /* outputs; returns #errors */
/* Reads DIR/STEM_K.pb for each declared value decl[K] (TensorProto,
   SequenceProto or OptionalProto) and flattens them the same way into
   flat[] (named as in the API); files[i] (when not NULL) gets the path of
   a plain tensor's file, NULL for an element. With req, adds the --seq and
   --empty bindings the data implies. Returns the count, -1 after errors. */
int read_values(Graph *g, Tensor *const *decl, int ndecl, const char *dir, const char *stem,
                const LoadOptions *opt, Tensor **flat, const char **files, int max,
                CompileRequest *req);
const char *default_runtime_dir(void);
/* check_strings.c: string tensors in the harness's files (NUL-terminated). */
bool write_strings(const char *path, const Tensor *t);
bool read_strings(const char *path, Tensor *t, Pool *p);
bool compare_strings(int k, const Tensor *want, const Tensor *got);

#endif
