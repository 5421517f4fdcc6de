m4_divert(-1)
# dft.m4 - direct discrete Fourier transform in double, for DFT and STFT.
# x is [OUTER, NSIG, INNER, CIN] (CIN 1 real, 2 complex). DFT (STEP 0):
# one transform of LEN samples along NSIG (zero-padded or cut), output
# [OUTER, BINS, INNER, 2]. STFT (STEP > 0): FRAMES transforms of LEN samples
# starting STEP apart, optionally windowed, output [OUTER, FRAMES, BINS, 2].
# INVERSE uses exp(+i...) and divides by LEN.
# Parameters: OUTER NSIG INNER CIN LEN BINS INVERSE STEP FRAMES HAS_WINDOW
m4_need(`LEN')m4_need(`BINS')
m4_ifdef(`FRAMES', `', `m4_define(`FRAMES', 1)')
m4_divert(0)m4_dnl
static void KNAME`'(const float *restrict x, const float *restrict window, float *restrict y)
{
    const double two_pi = 6.283185307179586476925286766559;
    long o, f, i, k, t;
    (void)window;
    for (o = 0; o < OUTER; o++)
        for (f = 0; f < FRAMES; f++)
            for (i = 0; i < INNER; i++)
                for (k = 0; k < BINS; k++) {
                    double re = 0.0, im = 0.0;
                    for (t = 0; t < LEN; t++) {
                        long pos = f * STEP + t;
                        const float *v;
                        double xr, xi, ang, w = 1.0;
                        if (pos >= NSIG) break; /* zero padding */
                        v = x + ((o * NSIG + pos) * INNER + i) * CIN;
m4_ifelse(HAS_WINDOW, 1, `                        w = (double)window[t];
')m4_dnl
                        xr = (double)v[0] * w;
                        xi = CIN == 2 ? (double)v[CIN - 1] * w : 0.0;
                        /* the angle reduced mod LEN keeps it exact for long signals */
                        ang = two_pi * (double)((k * t) % LEN) / (double)LEN;
                        if (!INVERSE) ang = -ang;
                        re += xr * cos(ang) - xi * sin(ang);
                        im += xr * sin(ang) + xi * cos(ang);
                    }
                    if (INVERSE) {
                        re /= (double)LEN;
                        im /= (double)LEN;
                    }
                    {
                        float *out = y + (((o * FRAMES + f) * BINS + k) * INNER + i) * 2;
                        out[0] = (float)re;
                        out[1] = (float)im;
                    }
                }
}
