m4_divert(-1)
# common.m4 - macros shared by every kernel template (included first).
#
# Templates are C with m4 macros for the values an instance is specialized
# on; mlegen passes those as -DNAME=VALUE. m4 runs with -P, so only the
# m4_-prefixed builtins exist, and `#' comments are disabled below so
# macros expand inside preprocessor lines too. Parameter names are
# UPPERCASE; C variables in templates are lowercase, so they never clash.

m4_changecom()

# m4_need(NAME): fail the expansion when a parameter was not passed.
m4_define(`m4_need', `m4_ifdef(`$1', `', `m4_errprint(`missing template parameter $1
')m4_m4exit(1)')')

# FOR(var, from, to, text): text repeated with var = from..to.
m4_define(`FOR', `m4_ifelse(m4_eval($2 <= $3), 1,
  `m4_pushdef(`$1', $2)$4`'m4_popdef(`$1')FOR(`$1', m4_incr($2), $3, `$4')')')

# ACT_APPLY(v): the fused activation of an epilogue, for ACT = none, relu,
# leaky_relu, clip, sigmoid, tanh, hard_sigmoid, hard_swish. NaN passes
# through relu and clip unchanged, as numpy's maximum/clip do.
m4_define(`ACT_APPLY', `m4_ifelse(ACT, `none', `$1',
  ACT, `relu', `($1 < 0.0f ? 0.0f : $1)',
  ACT, `leaky_relu', `($1 < 0.0f ? ACT_ALPHA * $1 : $1)',
  ACT, `clip', `($1 < ACT_ALPHA ? ACT_ALPHA : ($1 > ACT_BETA ? ACT_BETA : $1))',
  ACT, `sigmoid', `(1.0f / (1.0f + expf(-$1)))',
  ACT, `tanh', `tanhf($1)',
  ACT, `hard_sigmoid', `fmaxf(0.0f, fminf(1.0f, ACT_ALPHA * $1 + ACT_BETA))',
  ACT, `hard_swish', `($1 * fmaxf(0.0f, fminf(1.0f, $1 * (1.0f / 6.0f) + 0.5f)))',
  `m4_errprint(`unknown ACT 'ACT`
')m4_m4exit(1)')')

# Scalar epilogue for output element y[idx] holding v (a float lvalue):
# adds the residual, applies the activation, stores.
m4_define(`EPILOGUE_STORE', `m4_ifelse(HAS_RESIDUAL, 1, `$2 += res[$3];
')$1[$3] = ACT_APPLY($2);')

# True (1) when the instance may use the AVX2/AVX-512 paths.
m4_define(`SIMD_OK', `m4_ifelse(OPT_LEVEL, 0, 0, 1)')

m4_divert(0)m4_dnl
