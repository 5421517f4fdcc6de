/*
 * fuzz_frontend.c - libFuzzer target over the whole mlegen front end:
 *
 *   load_model_bytes -> support check -> bind dims -> toposort
 *   -> infer_shapes (with folding) -> run_passes (verified) -> plan_memory
 *
 * Emission is left out: it runs m4 once per kernel (a fork and exec each),
 * which would cut the fuzzer's speed a hundredfold; emit.c only formats
 * what planning already validated. Diagnostics are counted but not printed.
 * Unbound symbolic dims are bound to 2 so dynamic models get past binding.
 * Limits are small (16 MiB per tensor) so no input can make the fuzzer
 * allocate much: a large claim must be refused, not honored.
 *
 * Built by build_fuzz.sh with clang -fsanitize=fuzzer,address,undefined.
 */
#include "mlegen.h"

#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    diag_set_quiet(true);
    return 0;
}

/* The driver's binding step in small: unknown dims become 2. */
static bool bind_all(Graph *g) {
    for (int i = 0; i < g->ninputs; i++) {
        Tensor *t = g->inputs[i];
        if (t->rank < 0 || !dtype_ctype(t->dtype)) return false;
        for (int d = 0; d < t->rank; d++) {
            if (t->dims[d] < 0) t->dims[d] = 2;
            if (t->dims[d] == 0) return false;
        }
        int64_t b = tensor_bytes(t);
        if (b < 0 || b > g->max_tensor_bytes) return false;
    }
    return true;
}

static bool all_supported(Graph *g) {
    for (int i = 0; i < g->nnodes; i++) {
        Node *n = g->nodes[i];
        if (n->dead) continue;
        const OpDef *op = op_lookup(n->domain, n->op_type);
        if (!op || n->opset < op->min_opset) return false;
    }
    return true;
}

static void front_end(Graph *g) {
    if (!all_supported(g) || !bind_all(g)) return;
    if (graph_toposort(g) < 0) return;
    if (infer_shapes(g) || diag_count()) return;
    for (int i = 0; i < g->noutputs; i++)
        if (g->outputs[i]->rank < 0 || tensor_bytes(g->outputs[i]) < 0) return;
    Options opt = {.opt_level = 2, .prefix = "fuzz", .verify = true, .header_name = "fuzz.h"};
    if (run_passes(g, &opt) < 0 || diag_count()) return;
    Schedule s;
    plan_memory(g, &opt, &s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    diag_reset();
    LoadOptions lo = {.max_model_bytes = (size_t)64 << 20, .max_tensor_bytes = (size_t)16 << 20};
    /* A folder that does not exist: external data is always refused. */
    Graph *g = load_model_bytes(data, size, "/nonexistent-mlegen-fuzz/model.onnx", &lo);
    if (!g) return 0;
    front_end(g);
    graph_free(g);
    return 0;
}
