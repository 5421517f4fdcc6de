# Hostile and broken models (robust_*): mlegen must answer every bad input
# with compiler-style diagnostics and exit status 1 (2 for bad usage), never
# crash, hang, allocate what a file merely claims, read outside the model's
# folder, or leave an output file behind.
#
#   robust_<case>          one per case of tests/robust/cases.py, each run
#                          through the release mlegen and the ASan+UBSan one
#                          (fixture `asan` from e2e.cmake)
#   robust_crasher_<file>  every input the fuzzer ever crashed on
#                          (tests/robust/crashers/), through the fuzz target
#                          and the sanitized mlegen
#   robust_fuzz_60s        a bounded libFuzzer session over the front end
#   robust_mutation        real models truncated and bit-flipped (~2 min)
#   robust_valgrind_<m>    generated code under valgrind memcheck
#   robust_deterministic   identical input -> byte-identical output
#   robust_string_limit    an over-long input string: non-zero return, no
#                          overflow (generated code under ASan+UBSan)
set(ROBUST ${CMAKE_SOURCE_DIR}/tests/robust)
set(ROBUST_WORK ${CMAKE_BINARY_DIR}/robust)
set(ASAN_MLEGEN ${CMAKE_BINARY_DIR}/asan/mlegen)
set(FUZZ_DIR ${CMAKE_BINARY_DIR}/fuzz)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${ROBUST}/cases.py)

# The case list comes from cases.py itself, so the two cannot drift apart.
execute_process(COMMAND ${MLEGEN_PYTHON} ${ROBUST}/cases.py list
  OUTPUT_VARIABLE robust_cases RESULT_VARIABLE robust_rc OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT robust_rc EQUAL 0)
  message(WARNING "tests/robust/cases.py list failed: robust_* tests not defined")
  set(robust_cases "")
endif()
string(REPLACE "\n" ";" robust_cases "${robust_cases}")
foreach(c ${robust_cases})
  add_test(NAME robust_${c}
    COMMAND ${MLEGEN_PYTHON} ${ROBUST}/cases.py run ${c} ${ROBUST_WORK} ${MLEGEN} ${ASAN_MLEGEN})
  set_tests_properties(robust_${c} PROPERTIES FIXTURES_REQUIRED asan TIMEOUT 300
    FAIL_REGULAR_EXPRESSION "FAIL ")
endforeach()

# The libFuzzer target, built by clang apart from the main build.
add_test(NAME robust_fuzz_build
  COMMAND bash ${ROBUST}/build_fuzz.sh ${CMAKE_SOURCE_DIR} ${CMAKE_BINARY_DIR} ${FUZZ_DIR})
set_tests_properties(robust_fuzz_build PROPERTIES FIXTURES_SETUP fuzz TIMEOUT 600)

file(GLOB robust_crashers ${ROBUST}/crashers/*)
foreach(f ${robust_crashers})
  get_filename_component(stem ${f} NAME_WE)
  add_test(NAME robust_crasher_${stem}
    COMMAND bash ${ROBUST}/run_crasher.sh ${FUZZ_DIR}/fuzz_frontend ${ASAN_MLEGEN} ${f}
            ${ROBUST_WORK}/crasher_${stem})
  set_tests_properties(robust_crasher_${stem} PROPERTIES FIXTURES_REQUIRED "fuzz;asan" TIMEOUT 120
    FAIL_REGULAR_EXPRESSION "Sanitizer|runtime error")
endforeach()

add_test(NAME robust_fuzz_60s
  COMMAND bash ${ROBUST}/fuzz_session.sh ${FUZZ_DIR} ${CMAKE_SOURCE_DIR} ${MODELS_DIR}
          ${NODE_DIR}/node 60)
set_tests_properties(robust_fuzz_60s PROPERTIES FIXTURES_REQUIRED "fuzz;models" TIMEOUT 300)

# Small PyTorch models and a sample of node-test models, truncated and
# bit-flipped, through the ASan+UBSan mlegen and the fuzz target.
add_test(NAME robust_mutation
  COMMAND ${MLEGEN_PYTHON} ${ROBUST}/mutate.py ${ROBUST_WORK}/mutation ${ASAN_MLEGEN}
          --fuzzer ${FUZZ_DIR}/fuzz_frontend --node-dir ${NODE_DIR}/node
          --per-model 40 --node-sample 60 --node-per-model 6 --fuzz-extra 500
          --models ${MODELS_DIR}/mlp/model.onnx ${MODELS_DIR}/cnn_small/model.onnx
          ${MODELS_DIR}/residual/model.onnx ${MODELS_DIR}/ops_misc/model.onnx
          ${CMAKE_SOURCE_DIR}/tests/models/digits.onnx)
set_tests_properties(robust_mutation PROPERTIES FIXTURES_REQUIRED "models;asan;fuzz" TIMEOUT 600)

# Generated code under valgrind: scalar paths, and the AVX2 paths for the
# small models (valgrind cannot run AVX-512).
foreach(m mlp cnn residual ops_misc mobilenet_v2)
  add_test(NAME robust_valgrind_${m}
    COMMAND ${MLEGEN_PYTHON} ${ROBUST}/valgrind_model.py ${MLEGEN} ${CMAKE_SOURCE_DIR}/runtime_stub
            ${MODELS_DIR}/${m} ${ROBUST_WORK}/valgrind_${m})
  set_tests_properties(robust_valgrind_${m} PROPERTIES FIXTURES_REQUIRED models TIMEOUT 600)
endforeach()
foreach(m mlp cnn residual ops_misc)
  add_test(NAME robust_valgrind_avx2_${m}
    COMMAND ${MLEGEN_PYTHON} ${ROBUST}/valgrind_model.py ${MLEGEN} ${CMAKE_SOURCE_DIR}/runtime_stub
            ${MODELS_DIR}/${m} ${ROBUST_WORK}/valgrind_avx2_${m} -mavx2 -mfma)
  set_tests_properties(robust_valgrind_avx2_${m} PROPERTIES FIXTURES_REQUIRED models TIMEOUT 600)
endforeach()

# Byte-identical output for identical input, whatever the output folder
# (e2e.cmake covers resnet18; these add the ops_misc and residual graphs).
foreach(m ops_misc residual)
  add_test(NAME robust_deterministic_${m}
    COMMAND bash ${CMAKE_SOURCE_DIR}/tests/e2e/determinism.sh ${MLEGEN}
            ${MODELS_DIR}/${m}/model.onnx ${ROBUST_WORK}/det_${m})
  set_tests_properties(robust_deterministic_${m} PROPERTIES FIXTURES_REQUIRED models)
endforeach()

add_test(NAME robust_string_limit
  COMMAND bash ${ROBUST}/string_limit.sh ${ASAN_MLEGEN} ${MLEGEN_PYTHON} ${CMAKE_SOURCE_DIR}
          ${ROBUST_WORK}/string_limit)
set_tests_properties(robust_string_limit PROPERTIES FIXTURES_REQUIRED asan TIMEOUT 300
  FAIL_REGULAR_EXPRESSION "Sanitizer|runtime error|FAIL")
