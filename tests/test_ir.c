/*
 * test_ir.c - unit tests of the loader, IR, op registry, shape inference,
 * passes and storage planning, on graphs built here in C (and the bundled
 * digits model). Prints "N passed, M failed" last; exit status 1 on failure.
 *
 * usage: test_ir DIGITS.onnx
 */
#include "mlegen.h"

#include <math.h>
#include <string.h>

static int passed, failed;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (cond)                                                                                  \
            passed++;                                                                              \
        else {                                                                                     \
            failed++;                                                                              \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);               \
        }                                                                                          \
    } while (0)

int ops_selftest(void);

static Graph *new_graph(void) {
    Graph *g = graph_new(NULL);
    g->path = "unit.onnx";
    g->nopsets = 1;
    g->opsets = pool_alloc(g->pool, sizeof(OpsetImport));
    g->opsets[0].domain = "";
    g->opsets[0].version = 13;
    g->inputs = pool_alloc(g->pool, sizeof(Tensor *) * 8);
    g->outputs = pool_alloc(g->pool, sizeof(Tensor *) * 8);
    return g;
}

static Tensor *input(Graph *g, const char *name, int rank, const int64_t *dims) {
    Tensor *t = graph_tensor(g, name);
    tensor_set_shape(t, DT_FLOAT, rank, dims);
    t->is_input = true;
    t->io_index = g->ninputs;
    g->inputs[g->ninputs++] = t;
    return t;
}

static Tensor *constant(Graph *g, const char *name, DType dt, int rank, const int64_t *dims,
                        const void *data) {
    Tensor *t = graph_tensor(g, name);
    tensor_set_shape(t, dt, rank, dims);
    size_t n = (size_t)tensor_bytes(t);
    t->data = pool_alloc(g->pool, n ? n : 1);
    if (data) memcpy(t->data, data, n);
    return t;
}

static Node *node(Graph *g, const char *op, Tensor *a, Tensor *b, Tensor *c, const char *out) {
    int nin = c ? 3 : b ? 2 : 1;
    Node *n = graph_add_node(g, op, NULL, nin, 1);
    n->inputs[0] = a;
    if (nin > 1) n->inputs[1] = b;
    if (nin > 2) n->inputs[2] = c;
    n->outputs[0] = graph_tensor(g, out);
    n->outputs[0]->producer = n;
    n->op = op_lookup("", op);
    return n;
}

static void attr_ints_set(Graph *g, Node *n, const char *name, int cnt, const int64_t *v) {
    Attr *a = pool_alloc(g->pool, sizeof(Attr) * (size_t)(n->nattrs + 1));
    if (n->nattrs) memcpy(a, n->attrs, sizeof(Attr) * (size_t)n->nattrs);
    a[n->nattrs].name = pool_strdup(g->pool, name);
    a[n->nattrs].type = ATTR_INTS;
    a[n->nattrs].n = cnt;
    a[n->nattrs].ints = pool_alloc(g->pool, sizeof(int64_t) * (size_t)cnt);
    memcpy(a[n->nattrs].ints, v, sizeof(int64_t) * (size_t)cnt);
    n->attrs = a;
    n->nattrs++;
}

static void output(Graph *g, Tensor *t) {
    t->is_output = true;
    t->io_index = g->noutputs;
    g->outputs[g->noutputs++] = t;
}

static void test_registry(void) {
    CHECK(ops_selftest() == 0);
    CHECK(op_lookup("", "Conv") != NULL);
    CHECK(op_lookup("ai.onnx", "Relu") != NULL);
    CHECK(op_lookup("", "NoSuchOp") == NULL);
    CHECK(op_lookup("com.microsoft", "Conv") == NULL);
    for (int i = 0; i < op_count(); i++)
        CHECK(op_lookup(op_at(i)->domain, op_at(i)->name) == op_at(i));
    /* A training op is found only in its own domain. */
    CHECK(op_lookup("", "Adam") == NULL);
    CHECK(op_lookup("ai.onnx.preview.training", "Adam") != NULL);
}

static void test_numel(void) {
    Tensor t = {.rank = 3, .dims = {2, 3, 4}, .dtype = DT_FLOAT};
    CHECK(tensor_numel(&t) == 24 && tensor_bytes(&t) == 96);
    Tensor big = {
        .rank = 4, .dims = {1ll << 20, 1ll << 20, 1ll << 20, 1ll << 20}, .dtype = DT_FLOAT};
    CHECK(tensor_numel(&big) == -1); /* overflow is detected, not wrapped */
    Tensor sym = {.rank = 2, .dims = {-1, 3}};
    CHECK(tensor_numel(&sym) == -1);
    Tensor scalar = {.rank = 0, .dtype = DT_INT64};
    CHECK(tensor_numel(&scalar) == 1 && tensor_bytes(&scalar) == 8);
}

static void test_toposort_and_cycle(void) {
    Graph *g = new_graph();
    int64_t d[2] = {1, 4};
    Tensor *x = input(g, "x", 2, d);
    /* Added out of order: c consumes b's output, b consumes a's. */
    Node *c = node(g, "Relu", graph_tensor(g, "b_out"), NULL, NULL, "c_out");
    Node *b = node(g, "Relu", graph_tensor(g, "a_out"), NULL, NULL, "b_out");
    Node *a = node(g, "Relu", x, NULL, NULL, "a_out");
    output(g, c->outputs[0]);
    CHECK(graph_toposort(g) == 0);
    CHECK(g->nodes[0] == a && g->nodes[1] == b && g->nodes[2] == c);
    graph_free(g);

    diag_set_file("cycle.onnx");
    int before = diag_count();
    g = new_graph();
    Node *p = node(g, "Relu", graph_tensor(g, "q_out"), NULL, NULL, "p_out");
    Node *q = node(g, "Relu", p->outputs[0], NULL, NULL, "q_out");
    output(g, q->outputs[0]);
    CHECK(graph_toposort(g) == -1);
    CHECK(diag_count() == before + 1);
    graph_free(g);
    diag_reset();
}

static void test_infer(void) {
    Graph *g = new_graph();
    int64_t xd[4] = {1, 3, 32, 32}, wd[4] = {8, 3, 3, 3}, bd[3] = {8, 1, 1};
    Tensor *x = input(g, "x", 4, xd);
    Tensor *w = constant(g, "w", DT_FLOAT, 4, wd, NULL);
    Node *conv = node(g, "Conv", x, w, NULL, "y");
    int64_t strides[2] = {2, 2}, pads[4] = {1, 1, 1, 1}, dil[2] = {2, 2};
    attr_ints_set(g, conv, "strides", 2, strides);
    attr_ints_set(g, conv, "pads", 4, pads);
    attr_ints_set(g, conv, "dilations", 2, dil);
    /* Broadcast [1,8,15,15] + [8,1,1] -> [1,8,15,15]. */
    Tensor *bias = constant(g, "bias", DT_FLOAT, 3, bd, NULL);
    Node *add = node(g, "Add", conv->outputs[0], bias, NULL, "z");
    int64_t shp[2] = {0, -1};
    int64_t sd[1] = {2};
    Tensor *shape = constant(g, "shape", DT_INT64, 1, sd, shp);
    Node *rs = node(g, "Reshape", add->outputs[0], shape, NULL, "r");
    output(g, rs->outputs[0]);
    CHECK(graph_toposort(g) == 0);
    CHECK(infer_shapes(g) == 0);
    Tensor *y = conv->outputs[0], *z = add->outputs[0], *r = rs->outputs[0];
    /* (32 + 2 - ((3 - 1) * 2 + 1)) / 2 + 1 = 15 */
    CHECK(y->rank == 4 && y->dims[1] == 8 && y->dims[2] == 15 && y->dims[3] == 15);
    CHECK(tensor_same_shape(y, z));
    CHECK(r->rank == 2 && r->dims[0] == 1 && r->dims[1] == 8 * 15 * 15);
    graph_free(g);

    /* A bad broadcast is one error that names the node; the Relu fed by it
       is not reported again. */
    diag_set_file("bad.onnx");
    diag_reset();
    g = new_graph();
    int64_t a3[2] = {2, 3}, a4[2] = {2, 4};
    Node *bad = node(g, "Add", input(g, "a", 2, a3), input(g, "b", 2, a4), NULL, "o");
    Node *after = node(g, "Relu", bad->outputs[0], NULL, NULL, "p");
    output(g, after->outputs[0]);
    graph_toposort(g);
    CHECK(infer_shapes(g) == 1 && diag_count() == 1);
    graph_free(g);
    diag_reset();
}

/* Conv followed by BatchNormalization folds into one Conv whose weights and
   bias are the BN-scaled ones. */
static void test_fuse_conv_bn(void) {
    Graph *g = new_graph();
    int64_t xd[4] = {1, 2, 4, 4}, wd[4] = {2, 2, 1, 1}, cd[1] = {2};
    float w[4] = {1, 2, 3, 4}, scale[2] = {2, 0.5f}, bias[2] = {1, -1}, mean[2] = {0.5f, 1},
          var[2] = {3, 0};
    Tensor *x = input(g, "x", 4, xd);
    Node *conv = node(g, "Conv", x, constant(g, "w", DT_FLOAT, 4, wd, w), NULL, "c");
    Node *bn = graph_add_node(g, "BatchNormalization", "bn", 5, 1);
    bn->inputs[0] = conv->outputs[0];
    bn->inputs[1] = constant(g, "s", DT_FLOAT, 1, cd, scale);
    bn->inputs[2] = constant(g, "b", DT_FLOAT, 1, cd, bias);
    bn->inputs[3] = constant(g, "m", DT_FLOAT, 1, cd, mean);
    bn->inputs[4] = constant(g, "v", DT_FLOAT, 1, cd, var);
    bn->outputs[0] = graph_tensor(g, "y");
    bn->op = op_lookup("", "BatchNormalization");
    Node *relu = node(g, "Relu", bn->outputs[0], NULL, NULL, "out");
    output(g, relu->outputs[0]);
    Options opt = {.opt_level = 2, .verify = true};
    CHECK(graph_toposort(g) == 0 && infer_shapes(g) == 0);
    CHECK(run_passes(g, &opt) == 0);
    CHECK(g->nnodes == 1 && g->nodes[0] == conv);
    CHECK(conv->epi.act == ACT_RELU);
    CHECK(conv->outputs[0] == relu->outputs[0]);
    float s0 = 2.0f / sqrtf(3 + 1e-5f), s1 = 0.5f / sqrtf(0 + 1e-5f);
    const float *nw = conv->inputs[1]->data, *nb = conv->inputs[2]->data;
    CHECK(fabsf(nw[0] - 1 * s0) < 1e-5f && fabsf(nw[3] - 4 * s1) < 1e-2f);
    CHECK(fabsf(nb[0] - (1 - 0.5f * s0)) < 1e-5f && fabsf(nb[1] - (-1 - 1 * s1)) < 1e-2f);
    graph_free(g);
}

/* MatMul by constant weights + Add(constant row) + Relu: one node whose
   epilogue has the row as bias and the Relu. A column ([M, 1]) operand is no
   bias: that Add stays, and so does the Relu after it. */
static void test_fuse_matmul_bias(void) {
    for (int column = 0; column <= 1; column++) {
        Graph *g = new_graph();
        int64_t xd[3] = {2, 3, 4}, wd[2] = {4, 5}, rd[1] = {5}, cd[2] = {3, 1};
        float w[20] = {0}, c[5] = {1, 2, 3, 4, 5};
        Tensor *x = input(g, "x", 3, xd);
        Node *mm = node(g, "MatMul", x, constant(g, "w", DT_FLOAT, 2, wd, w), NULL, "m");
        Tensor *bias =
            column ? constant(g, "c", DT_FLOAT, 2, cd, c) : constant(g, "c", DT_FLOAT, 1, rd, c);
        Node *add = node(g, "Add", bias, mm->outputs[0], NULL, "a");
        Node *relu = node(g, "Relu", add->outputs[0], NULL, NULL, "y");
        output(g, relu->outputs[0]);
        /* Without chain fusion, which would join the column Add and Relu. */
        Options opt = {.opt_level = 2, .verify = true, .disabled_passes = "fuse-elementwise"};
        CHECK(graph_toposort(g) == 0 && infer_shapes(g) == 0 && run_passes(g, &opt) == 0);
        if (!column) {
            CHECK(g->nnodes == 1 && g->nodes[0] == mm);
            CHECK(mm->epi.bias == bias->data && mm->epi.act == ACT_RELU);
            CHECK(mm->outputs[0] == relu->outputs[0]);
        } else {
            CHECK(g->nnodes == 3 && !mm->epi.bias && !add->dead && !relu->dead);
        }
        graph_free(g);
    }
}

/* Sigmoid -> Mul(x) -> Relu is one ElementwiseChain whose only operand is x
   (read twice); when the Mul's output is also a graph output, the chain
   stops there and the Relu stays. */
static void test_fuse_elementwise(void) {
    for (int visible = 0; visible <= 1; visible++) {
        Graph *g = new_graph();
        int64_t xd[2] = {3, 5};
        Tensor *x = input(g, "x", 2, xd);
        Node *sg = node(g, "Sigmoid", x, NULL, NULL, "s");
        Node *mul = node(g, "Mul", x, sg->outputs[0], NULL, "m");
        Node *relu = node(g, "Relu", mul->outputs[0], NULL, NULL, "y");
        output(g, relu->outputs[0]);
        if (visible) output(g, mul->outputs[0]);
        Options opt = {.opt_level = 2, .verify = true};
        CHECK(graph_toposort(g) == 0 && infer_shapes(g) == 0 && run_passes(g, &opt) == 0);
        Node *f = g->nnodes ? g->nodes[0] : NULL;
        CHECK(f && strcmp(f->op_type, "ElementwiseChain") == 0 && strcmp(f->domain, "mlegen") == 0);
        CHECK(f && f->ninputs == 1 && f->inputs[0] == x);
        if (!visible) {
            CHECK(g->nnodes == 1 && f && f->nchain == 3 && f->chain[2] == relu);
            CHECK(f && f->outputs[0] == relu->outputs[0]);
        } else {
            CHECK(g->nnodes == 2 && f && f->nchain == 2 && f->outputs[0] == mul->outputs[0]);
            CHECK(!relu->dead);
        }
        graph_free(g);
    }
}

/* A Relu -> Reshape -> Relu chain: the Reshape costs nothing (same offset),
   and the two Relu outputs never overlap while both are live. */
static void test_plan_aliases(void) {
    Graph *g = new_graph();
    int64_t xd[2] = {4, 16}, sd[1] = {1}, shp[1] = {64};
    Tensor *x = input(g, "x", 2, xd);
    Node *a = node(g, "Relu", x, NULL, NULL, "a");
    Node *r = node(g, "Reshape", a->outputs[0], constant(g, "s", DT_INT64, 1, sd, shp), NULL, "r");
    Node *b = node(g, "Sigmoid", r->outputs[0], NULL, NULL, "b");
    Node *c = node(g, "Add", b->outputs[0], r->outputs[0], NULL, "c");
    output(g, c->outputs[0]);
    /* Sigmoid + Add would be one chain, with one buffer fewer to plan. */
    Options opt = {.opt_level = 2, .verify = true, .disabled_passes = "fuse-elementwise"};
    CHECK(graph_toposort(g) == 0 && infer_shapes(g) == 0 && run_passes(g, &opt) == 0);
    Schedule s;
    CHECK(plan_memory(g, &opt, &s) == 0);
    Tensor *ta = a->outputs[0], *tr = r->outputs[0], *tb = b->outputs[0], *tc = c->outputs[0];
    CHECK(ta->store == STORE_ARENA && tr->store == STORE_ARENA && tr->offset == ta->offset);
    CHECK(r->dead); /* nothing emitted for the Reshape */
    CHECK(tb->store == STORE_ARENA && tb->offset != ta->offset);
    CHECK(tc->store == STORE_OUTPUT && tc->io_index == 0);
    CHECK(s.arena_bytes == 2 * 256); /* two 256-byte buffers live together */
    graph_free(g);
}

static void test_load_digits(const char *path) {
    LoadOptions lo = {.max_model_bytes = 1 << 26, .max_tensor_bytes = 1 << 26};
    diag_set_file(path);
    Graph *g = load_model(path, &lo);
    CHECK(g != NULL);
    if (!g) return;
    CHECK(opset_version(g, "") == 13);
    CHECK(g->ninputs == 1 && strcmp(g->inputs[0]->name, "image") == 0);
    CHECK(g->inputs[0]->rank == 4 && g->inputs[0]->dims[2] == 8 && g->inputs[0]->dims[3] == 8);
    CHECK(g->noutputs == 1 && strcmp(g->outputs[0]->name, "logits") == 0);
    int convs = 0;
    for (int i = 0; i < g->nnodes; i++)
        convs += strcmp(g->nodes[i]->op_type, "Conv") == 0;
    CHECK(convs == 2);
    Tensor *w = g->nodes[0]->inputs[1];
    CHECK(w->data && w->rank == 4 && w->dims[0] == 16 && w->dims[1] == 1);
    graph_free(g);

    /* A missing file is an error, not a crash. */
    diag_reset();
    diag_set_file("/nonexistent/model.onnx");
    CHECK(load_model("/nonexistent/model.onnx", &lo) == NULL && diag_count() == 1);
    diag_reset();
}

int main(int argc, char **argv) {
    test_registry();
    test_numel();
    test_toposort_and_cycle();
    test_infer();
    test_fuse_conv_bn();
    test_fuse_matmul_bias();
    test_fuse_elementwise();
    test_plan_aliases();
    if (argc > 1)
        test_load_digits(argv[1]);
    else
        failed++;
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
