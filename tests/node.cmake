# The ONNX backend node-test conformance suite: one CTest test per case,
# named node_<case> (`ctest -R node_`, `ctest -N` lists them all).
#
# The cases are not committed: Debian's python3-onnx ships the generators
# but not the data, so tests/node/gen_node_tests.py writes them into the
# build tree. That takes ~15 s, so it runs here at configure time
# (execute_process) and the test names come from a glob of what it wrote:
# no committed list can drift out of sync. It reruns when the generator
# script changes (stamp holds its hash) or the data is missing.
#
# Each case runs tests/node/run_case.sh, which holds its outcome against
# tests/node/expectations.txt in both directions; node_summary runs last
# and prints "node suite: N of TOTAL pass".
set(NODE_DIR ${CMAKE_BINARY_DIR}/node_tests)
set(NODE_GEN ${CMAKE_SOURCE_DIR}/tests/node/gen_node_tests.py)
set(NODE_EXPECT ${CMAKE_SOURCE_DIR}/tests/node/expectations.txt)
set(NODE_RESULTS ${CMAKE_BINARY_DIR}/node_results)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${NODE_GEN})

file(SHA256 ${NODE_GEN} node_gen_hash)
set(node_stamp "")
if(EXISTS ${NODE_DIR}/stamp)
  file(READ ${NODE_DIR}/stamp node_stamp)
endif()
if(NOT node_stamp STREQUAL node_gen_hash OR NOT EXISTS ${NODE_DIR}/node)
  message(STATUS "Generating the ONNX node tests into ${NODE_DIR}")
  file(REMOVE_RECURSE ${NODE_DIR})
  execute_process(COMMAND ${MLEGEN_PYTHON} ${NODE_GEN} ${NODE_DIR}
    RESULT_VARIABLE node_rc OUTPUT_QUIET ERROR_VARIABLE node_err TIMEOUT 300)
  if(node_rc EQUAL 0)
    file(WRITE ${NODE_DIR}/stamp ${node_gen_hash})
  else()
    message(WARNING "ONNX node tests not generated (${MLEGEN_PYTHON} needs onnx): ${node_err}")
  endif()
endif()

file(GLOB node_cases LIST_DIRECTORIES true RELATIVE ${NODE_DIR}/node ${NODE_DIR}/node/test_*)
list(SORT node_cases)
string(REPLACE ";" "\n" node_list "${node_cases}")
file(WRITE ${NODE_DIR}/cases.txt "${node_list}\n")

set(node_tests "")
foreach(c ${node_cases})
  add_test(NAME node_${c}
    COMMAND sh ${CMAKE_SOURCE_DIR}/tests/node/run_case.sh ${MLEGEN} ${NODE_DIR}/node/${c}
            ${NODE_EXPECT} ${NODE_RESULTS})
  set_tests_properties(node_${c} PROPERTIES TIMEOUT 150 LABELS node)
  list(APPEND node_tests node_${c})
endforeach()

# Constant folding against the same data: a few cases per folded op family
# run with every input fixed at compile time (run_case.sh ... fold), so the
# fold functions, which the cases above never reach, get an oracle too.
set(node_fold_cases
  test_abs test_neg test_sign test_exp test_sqrt test_relu test_not_2d test_isnan
  test_add_bcast test_sub_uint8 test_mul test_div_bcast test_pow_types_float32_int64
  test_equal_bcast test_greater_equal test_less_equal_bcast test_and_bcast4v3d test_xor4d
  test_prelu_broadcast test_where_long_example test_clip_default_inbounds
  test_reduce_sum_square_do_not_keepdims_random test_reduce_prod_keepdims_example
  test_reduce_max_negative_axes_keepdims_random test_reduce_mean_default_axes_keepdims_example
  test_reduce_log_sum_exp_keepdims_random test_reduce_l2_do_not_keepdims_example
  test_argmax_keepdims_random_select_last_index test_argmin_no_keepdims_example)
foreach(c ${node_fold_cases})
  if(EXISTS ${NODE_DIR}/node/${c})
    add_test(NAME node_fold_${c}
      COMMAND sh ${CMAKE_SOURCE_DIR}/tests/node/run_case.sh ${MLEGEN} ${NODE_DIR}/node/${c}
              ${NODE_EXPECT} ${NODE_RESULTS} fold ${MLEGEN_PYTHON})
    set_tests_properties(node_fold_${c} PROPERTIES TIMEOUT 150 LABELS node)
  endif()
endforeach()

# Element-wise math on the types the ONNX cases leave out (double, float16),
# generated the same way (tests/node/gen_dtype_cases.py, ~2 s). They must
# all pass: they are not in expectations.txt.
set(DTYPE_DIR ${CMAKE_BINARY_DIR}/node_dtype)
set(DTYPE_GEN ${CMAKE_SOURCE_DIR}/tests/node/gen_dtype_cases.py)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${DTYPE_GEN})
file(REMOVE_RECURSE ${DTYPE_DIR})
execute_process(COMMAND ${MLEGEN_PYTHON} ${DTYPE_GEN} ${DTYPE_DIR}
  RESULT_VARIABLE dtype_rc OUTPUT_QUIET ERROR_QUIET TIMEOUT 120)
file(GLOB dtype_cases LIST_DIRECTORIES true RELATIVE ${DTYPE_DIR} ${DTYPE_DIR}/dtype_*)
list(SORT dtype_cases)
foreach(c ${dtype_cases})
  add_test(NAME node_${c}
    COMMAND sh ${CMAKE_SOURCE_DIR}/tests/node/run_case.sh ${MLEGEN} ${DTYPE_DIR}/${c}
            ${NODE_EXPECT} ${CMAKE_BINARY_DIR}/node_dtype_results)
  set_tests_properties(node_${c} PROPERTIES TIMEOUT 150 LABELS node)
endforeach()

if(EXISTS ${NODE_DIR}/node/test_abs AND EXISTS ${NODE_DIR}/node/test_bernoulli)
  add_test(NAME node_wrapper_selftest
    COMMAND sh ${CMAKE_SOURCE_DIR}/tests/node/selftest.sh ${MLEGEN} ${NODE_DIR}/node
            ${CMAKE_BINARY_DIR}/node_selftest)
  set_tests_properties(node_wrapper_selftest PROPERTIES TIMEOUT 120 LABELS node)
endif()

if(node_cases)
  add_test(NAME node_summary
    COMMAND sh ${CMAKE_SOURCE_DIR}/tests/node/summary.sh ${NODE_RESULTS} ${NODE_EXPECT}
            ${NODE_DIR}/cases.txt)
  set_tests_properties(node_summary PROPERTIES DEPENDS "${node_tests}" LABELS node)
endif()
