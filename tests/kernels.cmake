# Optimized kernels: single-op models (tests/kernels/gen_kernel_models.py,
# references computed in numpy float64) through `mlegen check` on every
# code path a template has:
#   native  -march=native (AVX-512 on the CI machine)
#   avx2    -mavx2 -mfma  (the AVX2 path)
#   scalar  -O2, no -m flags (the portable path), all three with -Werror
#   O0      mlegen -O0 (the reference kernels)
# The models are generated at test time into the build tree (fixture
# `kernel_models`); the case list is read at configure time.
set(KERNEL_GEN ${CMAKE_SOURCE_DIR}/tests/kernels/gen_kernel_models.py)
set(KERNEL_DIR ${CMAKE_BINARY_DIR}/kernel_models)
# The generated code (and the harness) must build warning-free.
set(KERNEL_WARN "-Wall -Wextra -pedantic -Werror")
execute_process(COMMAND ${MLEGEN_PYTHON} ${KERNEL_GEN} --list
  OUTPUT_VARIABLE kernel_cases RESULT_VARIABLE kernel_rc ERROR_QUIET)
if(NOT kernel_rc EQUAL 0)
  message(WARNING "kernel tests not configured (${MLEGEN_PYTHON} needs onnx and numpy)")
  set(kernel_cases "")
endif()
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${KERNEL_GEN})

add_test(NAME kernels_gen COMMAND ${MLEGEN_PYTHON} ${KERNEL_GEN} ${KERNEL_DIR})
set_tests_properties(kernels_gen PROPERTIES FIXTURES_SETUP kernel_models TIMEOUT 300)

foreach(c ${kernel_cases})
  set(m ${KERNEL_DIR}/${c}/model.onnx)
  set(d ${KERNEL_DIR}/${c}/test_data_set_0)
  add_test(NAME kernel_${c}_native COMMAND ${MLEGEN} check ${m} ${d} --cflags "-O2 -march=native ${KERNEL_WARN}")
  add_test(NAME kernel_${c}_avx2 COMMAND ${MLEGEN} check ${m} ${d} --cflags "-O2 -mavx2 -mfma ${KERNEL_WARN}")
  add_test(NAME kernel_${c}_scalar COMMAND ${MLEGEN} check ${m} ${d} --cflags "-O2 ${KERNEL_WARN}")
  add_test(NAME kernel_${c}_O0 COMMAND ${MLEGEN} check -O0 ${m} ${d})
  set_tests_properties(kernel_${c}_native kernel_${c}_avx2 kernel_${c}_scalar kernel_${c}_O0
    PROPERTIES FIXTURES_REQUIRED kernel_models TIMEOUT 120 LABELS kernels)
  # gcc -Werror too: with constant shapes gcc's -Waggressive-loop-optimizations
  # has flagged tail loops clang accepts (gemm_packed's A packing, the fused
  # pointwise + depthwise kernels).
  add_test(NAME kernel_${c}_gcc
    COMMAND ${MLEGEN} check ${m} ${d} --cc gcc --cflags "-O2 -march=native ${KERNEL_WARN}")
  set_tests_properties(kernel_${c}_gcc
    PROPERTIES FIXTURES_REQUIRED kernel_models TIMEOUT 120 LABELS kernels)
  # --blas openblas: the case must actually call cblas_sgemm, and still match.
  if(c MATCHES "_blas")
    add_test(NAME kernel_${c}_openblas
      COMMAND bash -c "rm -rf \"$3\" && mkdir -p \"$3\" && \"$0\" check --blas openblas --keep \"$3\" \"$1\" \"$2\" \
--cflags '-O2 -march=native ${KERNEL_WARN}' && grep -q cblas_sgemm \"$3/model.c\""
              ${MLEGEN} ${m} ${d} ${CMAKE_BINARY_DIR}/kernel_blas/${c})
    set_tests_properties(kernel_${c}_openblas
      PROPERTIES FIXTURES_REQUIRED kernel_models TIMEOUT 120 LABELS kernels)
  endif()
endforeach()

# passes/fuse_pw_dw.c: a large expansion 1x1 -> depthwise pair becomes one
# conv_pw_dw kernel; --disable-pass fuse-pw-dw keeps the two convs, and so
# does a second reader of the expanded tensor.
add_test(NAME kernel_pwdw_fusion
  COMMAND bash -c "set -e; mkdir -p \"$1\"; \"$0\" \"$2/pwdw_s1_clip/model.onnx\" -o \"$1/on.c\"; \
grep -q '_conv_pw_dw(' \"$1/on.c\"; \
\"$0\" \"$2/pwdw_s1_clip/model.onnx\" -o \"$1/off.c\" --disable-pass fuse-pw-dw; \
! grep -q conv_pw_dw \"$1/off.c\"; grep -q '_conv_dw(' \"$1/off.c\"; \
\"$0\" \"$2/pwdw_two_readers/model.onnx\" -o \"$1/two.c\"; ! grep -q conv_pw_dw \"$1/two.c\""
          ${MLEGEN} ${CMAKE_BINARY_DIR}/kernel_pwdw ${KERNEL_DIR})
set_tests_properties(kernel_pwdw_fusion
  PROPERTIES FIXTURES_REQUIRED kernel_models TIMEOUT 60 LABELS kernels)

# passes/fuse_attention.c: MatMul -> Div -> MatMul... chain becomes one
# attention kernel; --disable-pass fuse-attention keeps the Softmax, and so
# does a second reader of the probabilities.
add_test(NAME kernel_attention_fusion
  COMMAND bash -c "set -e; mkdir -p \"$1\"; \"$0\" \"$2/attn_tails_mul_row/model.onnx\" -o \"$1/on.c\"; \
grep -q '_attention(' \"$1/on.c\"; ! grep -q '_softmax(' \"$1/on.c\"; \
\"$0\" \"$2/attn_tails_mul_row/model.onnx\" -o \"$1/off.c\" --disable-pass fuse-attention; \
! grep -q '_attention(' \"$1/off.c\"; grep -q '_softmax(' \"$1/off.c\"; \
\"$0\" \"$2/attn_two_readers/model.onnx\" -o \"$1/two.c\"; ! grep -q '_attention(' \"$1/two.c\""
          ${MLEGEN} ${CMAKE_BINARY_DIR}/kernel_attention ${KERNEL_DIR})
set_tests_properties(kernel_attention_fusion
  PROPERTIES FIXTURES_REQUIRED kernel_models TIMEOUT 60 LABELS kernels)
