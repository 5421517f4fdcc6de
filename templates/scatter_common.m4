# scatter_common.m4 - SCATTER_APPLY(dst, src): dst combined with src by the
# REDUCE mode of ScatterElements/ScatterND (none, add, mul, max, min).
# Included from a template's m4_divert(-1) section.
m4_define(`SCATTER_APPLY', `m4_ifelse(REDUCE, `none', `$1 = $2;',
  REDUCE, `add', `$1 += $2;',
  REDUCE, `mul', `$1 *= $2;',
  REDUCE, `max', `if ($2 > $1) $1 = $2;',
  REDUCE, `min', `if ($2 < $1) $1 = $2;',
  `m4_errprint(`unknown REDUCE 'REDUCE`
')m4_m4exit(1)')')
