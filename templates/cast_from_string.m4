m4_divert(-1)
# cast_from_string.m4 - N strings to float or double by the rules of C's
# strtod (strtof for float: no double rounding), which include what ONNX
# reserves: "NaN", "INF", "+INF", "-INF" in any case. Text that is not a
# number gives 0 (ONNX leaves it undefined). strtod reads the decimal point
# of the C locale in effect.
# Parameters: TY (float or double), N.
m4_need(`TY')m4_need(`N')
m4_divert(0)m4_dnl
#include <stdlib.h>

static void KNAME`'(const mlegen_str *restrict x, TY *restrict y)
{
    long i;
    for (i = 0; i < N; i++) y[i] = m4_ifelse(TY, `float', `strtof', `strtod')(x[i], NULL);
}
