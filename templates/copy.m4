m4_divert(-1)
# copy.m4 - BYTES bytes from x to y (an alias that needs its own storage).
m4_need(`BYTES')
m4_divert(0)m4_dnl
static void KNAME`'(const void *x, void *y)
{
    memcpy(y, x, BYTES);
}
