m4_divert(-1)
# prelude.m4 - the head of every generated file: the model's own header,
# standard headers, and the instruction-set selection. Kernels test
# MLEGEN_AVX512 / MLEGEN_AVX2 and always keep a portable scalar path.
# STRINGS=1 when the model has string tensors (their element type), STR_BYTES
# the pointer size the arena was planned with. BLAS=1 when a kernel calls
# cblas_sgemm (--blas openblas).
m4_divert(0)m4_dnl
#include "HEADER"

#include <math.h>
#include <stdint.h>
#include <string.h>
m4_ifelse(BLAS, 1, `#include <cblas.h> /* --blas openblas: link with -lopenblas */
')m4_dnl

m4_ifelse(STRINGS, 1, `/* A string tensor element: NUL-terminated UTF-8. The arena was planned
   with STR_BYTES-byte pointers: a compile error here means another size. */
typedef const char *mlegen_str;
typedef char mlegen_str_needs_`'STR_BYTES`'_byte_pointers[sizeof(mlegen_str) == STR_BYTES ? 1 : -1];

')m4_dnl
#if defined(__GNUC__)
#define MLEGEN_ALIGN64 __attribute__((aligned(64)))
#else
#define MLEGEN_ALIGN64
#endif

m4_ifelse(TARGET, `generic', `/* --target generic: portable C only. */
#define MLEGEN_AVX512 0
#define MLEGEN_AVX2 0',
TARGET, `avx2', `/* --target avx2 */
#if !defined(__AVX2__) || !defined(__FMA__)
#error "this file was generated for AVX2+FMA: compile with -mavx2 -mfma or -march=haswell"
#endif
#define MLEGEN_AVX512 0
#define MLEGEN_AVX2 1',
TARGET, `avx512', `/* --target avx512 */
#if !defined(__AVX512F__) || !defined(__FMA__)
#error "this file was generated for AVX-512: compile with -mavx512f -mfma or -march=skylake-avx512"
#endif
#define MLEGEN_AVX512 1
#define MLEGEN_AVX2 1',
`/* The instruction set follows the flags this file is compiled with. */
#if defined(__AVX512F__) && defined(__FMA__)
#define MLEGEN_AVX512 1
#else
#define MLEGEN_AVX512 0
#endif
#if defined(__AVX2__) && defined(__FMA__)
#define MLEGEN_AVX2 1
#else
#define MLEGEN_AVX2 0
#endif')
#if MLEGEN_AVX2 || MLEGEN_AVX512
#include <immintrin.h>
#endif

