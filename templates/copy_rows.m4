m4_divert(-1)
# copy_rows.m4 - ROWS blocks of ROW_BYTES bytes between strided rows (Concat).
m4_need(`ROWS')m4_need(`ROW_BYTES')
m4_divert(0)m4_dnl
static void KNAME`'(const void *x, void *y)
{
    long r;
    for (r = 0; r < ROWS; r++)
        memcpy((unsigned char *)y + r * (long)DST_STRIDE, (const unsigned char *)x + r * (long)SRC_STRIDE, ROW_BYTES);
}
