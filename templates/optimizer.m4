m4_divert(-1)
# optimizer.m4 - one tensor's update by the ai.onnx.preview.training
# optimizers (KIND adagrad, momentum, nesterov, adam), following the
# equations of the ONNX operator documents. R (learning rate) and T (step
# count) are scalars read at run time. s1/s2 are the state inputs (Adagrad:
# s1 = H; Momentum: s1 = V; Adam: s1 = V, s2 = H), o1/o2 the new states.
# Parameters: KIND N ALPHA BETA EPSILON DECAY NORM NORM_POST HAS_XO HAS_O1 HAS_O2
m4_need(`KIND')m4_need(`N')
m4_define(`STORE', `m4_ifelse($1, 1, `$2[i] = $3;')')
m4_divert(0)m4_dnl
static void KNAME`'(const float *r, const int64_t *t, const float *x, const float *g, const float *s1,
                  const float *s2, float *xo, float *o1, float *o2)
{
    long i;
    float rate = r[0];
    int64_t step = t[0];
    (void)s2, (void)xo, (void)o1, (void)o2, (void)step;
m4_ifelse(KIND, `adagrad', `    rate = rate / (1.0f + (float)step * DECAY);
    for (i = 0; i < N; i++) {
        float gr = NORM * x[i] + g[i];
        float h = s1[i] + gr * gr;
        float xn = x[i] - rate * gr / (sqrtf(h) + EPSILON);
        STORE(HAS_XO, `xo', `xn')
        STORE(HAS_O1, `o1', `h')
    }',
KIND, `adam', `    if (step > 0)
        rate = (float)((double)rate * sqrt(1.0 - pow((double)BETA, (double)step)) /
                       (1.0 - pow((double)ALPHA, (double)step)));
    for (i = 0; i < N; i++) {
        float gr = NORM * x[i] + g[i];
        float v = ALPHA * s1[i] + (1.0f - ALPHA) * gr;
        float h = BETA * s2[i] + (1.0f - BETA) * gr * gr;
        float xn = (1.0f - NORM_POST) * (x[i] - rate * (v / (sqrtf(h) + EPSILON)));
        STORE(HAS_XO, `xo', `xn')
        STORE(HAS_O1, `o1', `v')
        STORE(HAS_O2, `o2', `h')
    }',
`    for (i = 0; i < N; i++) {
        float gr = NORM * x[i] + g[i];
        float v = ALPHA * s1[i] + (step > 0 ? BETA : 1.0f) * gr;
        float xn = m4_ifelse(KIND, `nesterov', `x[i] - rate * (gr + ALPHA * v)', `x[i] - rate * v');
        STORE(HAS_XO, `xo', `xn')
        STORE(HAS_O1, `o1', `v')
    }')
}
