/*
 * check.c - `mlegen check MODEL.onnx DATA_DIR...`: the end-to-end oracle.
 *
 * For each data directory (ONNX backend-test layout: input_K.pb and
 * output_K.pb TensorProto files) it binds the inputs' shapes from the data,
 * compiles the model, builds the generated C with runtime_stub/harness.c,
 * runs it on raw copies of the inputs and compares the raw outputs with the
 * expected ones like numpy.allclose: |got - want| <= atol + rtol * |want|.
 * The compiled program is reused across directories with the same shapes.
 */
#include "driver.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;
int parse_compile_option(int argc, char **argv, int *i, CompileRequest *req);

#define MAX_IO 64

typedef struct CheckOptions {
    double rtol, atol;
    const char *keep, *cc, *cflags, *runtime;
} CheckOptions;

static int run_program(char *const argv[], bool quiet) {
    pid_t pid;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    if (quiet) posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", 1, 0);
    int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        fprintf(stderr, "mlegen check: cannot run %s: %s\n", argv[0], strerror(rc));
        return -1;
    }
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFSIGNALED(status)) {
        fprintf(stderr, "mlegen check: %s died from signal %d\n", argv[0], WTERMSIG(status));
        return -1;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static bool write_raw(const char *path, const Tensor *t) {
    if (t->dtype == DT_STRING) return write_strings(path, t);
    FILE *f = fopen(path, "wb");
    if (!f) return false;
    size_t n = (size_t)tensor_bytes(t);
    bool ok = fwrite(t->data, 1, n, f) == n;
    return fclose(f) == 0 && ok;
}

static int count_files(const char *dir, const char *stem) {
    int n = 0;
    for (;; n++) {
        char p[4096];
        snprintf(p, sizeof p, "%s/%s_%d.pb", dir, stem, n);
        if (access(p, R_OK) != 0) return n;
    }
}

static double as_double(const Tensor *t, int64_t i) {
    return tensor_get_f64(t, i);
}

/* Compares one output; prints a line; returns true on a match. */
static bool compare(int k, const Tensor *want, const Tensor *got, const CheckOptions *co) {
    int64_t n = tensor_numel(want);
    if (want->dtype != got->dtype || n != tensor_numel(got)) {
        printf("  output %d '%s': expected %s x%lld, got %s x%lld: FAIL\n", k, want->name,
               dtype_name(want->dtype), (long long)n, dtype_name(got->dtype),
               (long long)tensor_numel(got));
        return false;
    }
    if (want->dtype == DT_STRING) return compare_strings(k, want, got);
    double max_abs = 0, max_rel = 0;
    int64_t bad = 0, first_bad = -1;
    bool exact = !dtype_is_float(want->dtype);
    for (int64_t i = 0; i < n; i++) {
        double w = as_double(want, i), g = as_double(got, i);
        bool ok;
        if (exact) {
            ok = tensor_get_i64(want, i) == tensor_get_i64(got, i);
            if (want->dtype == DT_UINT64)
                ok = ((uint64_t *)want->data)[i] == ((uint64_t *)got->data)[i];
        } else if (isnan(w) || isnan(g)) {
            ok = isnan(w) && isnan(g);
        } else if (isinf(w) || isinf(g)) {
            ok = w == g;
        } else {
            double d = fabs(g - w);
            if (d > max_abs) max_abs = d;
            if (w != 0 && d / fabs(w) > max_rel) max_rel = d / fabs(w);
            ok = d <= co->atol + co->rtol * fabs(w);
        }
        if (!ok && bad++ == 0) first_bad = i;
    }
    printf("  output %d '%s': %lld values, max abs err %.3g, max rel err %.3g: %s\n", k, want->name,
           (long long)n, max_abs, max_rel, bad ? "FAIL" : "PASS");
    if (bad)
        printf("    %lld mismatches; first at index %lld: expected %.9g, got %.9g\n",
               (long long)bad, (long long)first_bad, as_double(want, first_bad),
               as_double(got, first_bad));
    return bad == 0;
}

static bool read_raw(const char *path, Tensor *t, Pool *p) {
    if (t->dtype == DT_STRING) return read_strings(path, t, p);
    unsigned char *d;
    size_t len;
    char err[256];
    if (!read_file(path, (size_t)1 << 40, &d, &len, err, sizeof err)) return false;
    if ((int64_t)len != tensor_bytes(t)) {
        free(d);
        return false;
    }
    t->data = pool_alloc(p, len ? len : 1);
    memcpy(t->data, d, len);
    free(d);
    return true;
}

/* Builds MODEL into tmp/run; returns 0 on success. */
/* Compiles for this data set. When the model needs some inputs as
   compile-time constants because they decide output shapes (Reshape's
   shape, Unsqueeze's axes, Range's limits, Compress's condition fed as graph
   inputs; see need_const), they are fixed to this data set's values, as
   `--const` would, and a note says so. Weight-like operands are never
   frozen (need_const_weight): the generated code must read those at run time. */
static int compile_for(CompileRequest *req, Tensor **inputs, const char **files, int nin) {
    /* Each round may reveal further operands (an op stops at the first). */
    for (int round = 0; round < 8; round++) {
        diag_set_quiet(true);
        int rc = compile_model(req);
        diag_set_quiet(false);
        diag_reset();
        if (rc == 0) return 0;
        const char *names[64];
        int nn = needed_const_inputs(names, 64), added = 0;
        for (int i = 0; i < nn && i < 64; i++)
            for (int k = 0; k < nin; k++) {
                /* Sequence elements have no file of their own to freeze. */
                if (strcmp(inputs[k]->name, names[i]) != 0 || !files[k]) continue;
                bool have = false;
                for (int c = 0; c < req->nconsts; c++)
                    have |= strcmp(req->consts[c].name, inputs[k]->name) == 0;
                if (have || req->nconsts >= MAX_BINDINGS) continue;
                const char *path = files[k];
                req->consts[req->nconsts].name = inputs[k]->name;
                req->consts[req->nconsts].file = path;
                req->nconsts++;
                added++;
                printf("  note: input '%s' decides a shape; fixed to this data set's value "
                       "(--const %s=%s)\n",
                       inputs[k]->name, inputs[k]->name, path);
            }
        if (!added) break;
    }
    /* Once more with the errors shown. */
    return compile_model(req);
}

static int build(const CompileRequest *base, Tensor **inputs, const char **files, int nin,
                 const char *tmp, const CheckOptions *co) {
    CompileRequest req = *base;
    char out_c[4200], exe[4200], harness[4200], hdr[4400];
    snprintf(out_c, sizeof out_c, "%s/model.c", tmp);
    snprintf(exe, sizeof exe, "%s/run", tmp);
    snprintf(harness, sizeof harness, "%s/harness.c", co->runtime);
    req.out_c = out_c;
    req.opt.prefix = "model";
    /* Shapes from the data override the model's symbolic dims; they yield
       to its static shapes for inputs the generated code never reads. */
    for (int i = 0; i < nin && req.nshapes < MAX_BINDINGS; i++) {
        Binding *b = &req.shapes[req.nshapes++];
        b->name = inputs[i]->name;
        b->rank = inputs[i]->rank;
        b->loose = true;
        memcpy(b->dims, inputs[i]->dims, sizeof b->dims);
    }
    if (compile_for(&req, inputs, files, nin) != 0) return 1;
    snprintf(hdr, sizeof hdr, "-I%s", tmp);
    char *argv[64];
    int argc = 0;
    argv[argc++] = (char *)co->cc;
    argv[argc++] = "-std=c99";
    /* Split the user's cflags on spaces (no quoting needed for flags). */
    char *flags = strdup(co->cflags);
    for (char *tok = strtok(flags, " "); tok && argc < 50; tok = strtok(NULL, " "))
        argv[argc++] = tok;
    argv[argc++] = hdr;
    argv[argc++] = "-DMLEGEN_MODEL_HEADER=\"model.h\"";
    argv[argc++] = "-DMLEGEN_PREFIX=model";
    argv[argc++] = out_c;
    argv[argc++] = harness;
    argv[argc++] = "-o";
    argv[argc++] = exe;
    if (req.opt.blas) argv[argc++] = "-lopenblas";
    argv[argc++] = "-lm";
    argv[argc] = NULL;
    int rc = run_program(argv, false);
    free(flags);
    if (rc != 0) {
        fprintf(stderr, "%s: the generated code did not build with %s\n", base->model, co->cc);
        return 1;
    }
    return 0;
}

static bool same_shapes(Tensor **a, Tensor **b, int n) {
    for (int i = 0; i < n; i++)
        if (!a[i] || !b[i] || a[i]->dtype != b[i]->dtype || !tensor_same_shape(a[i], b[i]))
            return false;
    return true;
}

static void remove_tree(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *ent;
    while ((ent = readdir(d))) {
        if (!strcmp(ent->d_name, ".") || !strcmp(ent->d_name, "..")) continue;
        char p[4400];
        snprintf(p, sizeof p, "%s/%s", dir, ent->d_name);
        unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

int run_check(int argc, char **argv) {
    CompileRequest req;
    request_defaults(&req);
    CheckOptions co = {.rtol = 1e-3,
                       .atol = 1e-4,
                       .cc = "clang",
                       .cflags = "-O2 -march=native",
                       .runtime = default_runtime_dir()};
    const char *model = NULL;
    const char *dirs[1024];
    int ndirs = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **sval = NULL;
        double *dval = NULL;
        if (strcmp(a, "--keep") == 0)
            sval = &co.keep;
        else if (strcmp(a, "--cc") == 0)
            sval = &co.cc;
        else if (strcmp(a, "--cflags") == 0)
            sval = &co.cflags;
        else if (strcmp(a, "--runtime") == 0)
            sval = &co.runtime;
        else if (strcmp(a, "--rtol") == 0)
            dval = &co.rtol;
        else if (strcmp(a, "--atol") == 0)
            dval = &co.atol;
        if (sval || dval) {
            if (i + 1 >= argc) {
                fprintf(stderr, "mlegen check: %s needs a value\n", a);
                return 2;
            }
            if (sval)
                *sval = argv[++i];
            else {
                char *end;
                *dval = strtod(argv[++i], &end);
                if (*end || *dval < 0) {
                    fprintf(stderr, "mlegen check: %s needs a non-negative number\n", a);
                    return 2;
                }
            }
            continue;
        }
        int r = parse_compile_option(argc, argv, &i, &req);
        if (r < 0) return 2;
        if (r > 0) continue;
        if (a[0] == '-') {
            fprintf(stderr, "mlegen check: unknown option '%s'\n", a);
            return 2;
        }
        if (!model)
            model = a;
        else if (ndirs < 1024)
            dirs[ndirs++] = a;
    }
    if (!model || ndirs == 0) {
        fprintf(stderr,
                "usage: mlegen check MODEL.onnx DATA_DIR... [options] (see mlegen --help)\n");
        return 2;
    }
    req.model = model;
    char tmp[4096];
    if (co.keep) {
        snprintf(tmp, sizeof tmp, "%s", co.keep);
        mkdir(tmp, 0755);
    } else {
        snprintf(tmp, sizeof tmp, "/tmp/mlegen-check-XXXXXX");
        if (!mkdtemp(tmp)) {
            fprintf(stderr, "mlegen check: cannot create a temporary directory: %s\n",
                    strerror(errno));
            return 1;
        }
    }
    /* The model's input and output names, to bind shapes and label results. */
    diag_set_file(model);
    Graph *mg = load_model(model, &req.load);
    if (!mg) {
        if (!co.keep) remove_tree(tmp);
        return 1;
    }
    Graph *g = graph_new(NULL); /* holds the data tensors */
    Tensor *built_for[MAX_IO] = {0};
    int built_nin = 0;
    bool built = false;
    int failures = 0;
    for (int d = 0; d < ndirs; d++) {
        diag_set_file(dirs[d]);
        int nin = count_files(dirs[d], "input"), nout = count_files(dirs[d], "output");
        if (nin > MAX_IO || nout > MAX_IO || nout == 0) {
            fprintf(stderr, "%s: expected input_K.pb and output_K.pb files\n", dirs[d]);
            failures++;
            continue;
        }
        if (mg->ninputs != nin || mg->noutputs < nout) {
            fprintf(stderr, "%s: the model has %d inputs and %d outputs, %s has %d and %d files\n",
                    model, mg->ninputs, mg->noutputs, dirs[d], nin, nout);
            failures++;
            continue;
        }
        /* Sequences and optionals are flattened as in the generated API;
           dreq gets the --seq / --empty bindings the data implies. */
        CompileRequest dreq = req;
        Tensor *in[MAX_IO] = {0}, *want[MAX_IO] = {0};
        const char *files[MAX_IO] = {0};
        nin = read_values(g, mg->inputs, mg->ninputs, dirs[d], "input", &req.load, in, files,
                          MAX_IO, &dreq);
        nout = nin < 0 ? -1
                       : read_values(g, mg->outputs, nout, dirs[d], "output", &req.load, want, NULL,
                                     MAX_IO, NULL);
        if (nin < 0 || nout < 0) {
            failures++;
            continue;
        }
        bool ok = true;
        char p[4200];
        printf("%s:\n", dirs[d]);
        if (!built || nin != built_nin || !same_shapes(in, built_for, nin)) {
            if (build(&dreq, in, files, nin, tmp, &co) != 0) {
                failures++;
                built = false;
                continue;
            }
            built = true;
            built_nin = nin;
            memcpy(built_for, in, sizeof in);
        }
        char *args[2 * MAX_IO + 8];
        int na = 0;
        char exe[4200];
        snprintf(exe, sizeof exe, "%s/run", tmp);
        args[na++] = exe;
        for (int k = 0; k < nin; k++) {
            snprintf(p, sizeof p, "%s/in_%d.bin", tmp, k);
            if (!write_raw(p, in[k])) ok = false;
            args[na++] = "-i";
            args[na++] = pool_strdup(g->pool, p);
        }
        for (int k = 0; k < nout; k++) {
            snprintf(p, sizeof p, "%s/out_%d.bin", tmp, k);
            args[na++] = "-o";
            args[na++] = pool_strdup(g->pool, p);
        }
        args[na] = NULL;
        if (!ok || run_program(args, false) != 0) {
            printf("  the generated program failed to run: FAIL\n");
            failures++;
            continue;
        }
        for (int k = 0; k < nout; k++) {
            Tensor *got = pool_alloc(g->pool, sizeof(Tensor));
            *got = *want[k];
            snprintf(p, sizeof p, "%s/out_%d.bin", tmp, k);
            if (!read_raw(p, got, g->pool)) {
                printf("  output %d: missing or wrong size: FAIL\n", k);
                failures++;
                continue;
            }
            if (!compare(k, want[k], got, &co)) failures++;
        }
    }
    graph_free(g);
    graph_free(mg);
    if (!co.keep) remove_tree(tmp);
    printf("%s\n", failures ? "FAIL" : "PASS");
    return failures ? 1 : 0;
}
