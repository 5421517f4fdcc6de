# End-to-end tests of issue 2's contract.
set(E2E ${CMAKE_SOURCE_DIR}/tests/e2e)
set(E2E_WORK ${CMAKE_BINARY_DIR}/e2e)

# Each PyTorch-exported model compiled, built with clang (-O2 -march=native)
# and compared with PyTorch's outputs on two data sets.
foreach(m mlp mlp_dynbatch cnn cnn_small residual ops_misc resnet18 mobilenet_v2 transformer lstm)
  add_test(NAME e2e_${m}
    COMMAND ${MLEGEN} check ${MODELS_DIR}/${m}/model.onnx
            ${MODELS_DIR}/${m}/test_data_set_0 ${MODELS_DIR}/${m}/test_data_set_1)
  set_tests_properties(e2e_${m} PROPERTIES FIXTURES_REQUIRED models TIMEOUT 900)
endforeach()

# The same models through the other kernel paths: AVX2 only, portable
# scalar, and -O0 (reference kernels, no fusion, no arena reuse).
foreach(m mlp cnn residual ops_misc transformer lstm)
  set(d ${MODELS_DIR}/${m})
  add_test(NAME e2e_${m}_avx2
    COMMAND ${MLEGEN} check ${d}/model.onnx ${d}/test_data_set_0 --cflags "-O2 -mavx2 -mfma")
  add_test(NAME e2e_${m}_scalar COMMAND ${MLEGEN} check ${d}/model.onnx ${d}/test_data_set_0 --cflags -O2)
  add_test(NAME e2e_${m}_O0 COMMAND ${MLEGEN} check ${d}/model.onnx ${d}/test_data_set_0 -O0)
  add_test(NAME e2e_${m}_gcc COMMAND ${MLEGEN} check ${d}/model.onnx ${d}/test_data_set_0 --cc gcc
           --cflags "-O2 -march=native -Wall -Wextra -pedantic -Werror")
  add_test(NAME warnings_${m} COMMAND bash ${E2E}/warnings.sh ${MLEGEN} ${d}/model.onnx ${E2E_WORK}/warn_${m})
  set_tests_properties(e2e_${m}_avx2 e2e_${m}_scalar e2e_${m}_O0 e2e_${m}_gcc warnings_${m}
    PROPERTIES FIXTURES_REQUIRED models TIMEOUT 600)
endforeach()
add_test(NAME warnings_digits
  COMMAND bash ${E2E}/warnings.sh ${MLEGEN} ${CMAKE_SOURCE_DIR}/tests/models/digits.onnx ${E2E_WORK}/warn_digits)

add_test(NAME determinism_resnet18
  COMMAND bash ${E2E}/determinism.sh ${MLEGEN} ${MODELS_DIR}/resnet18/model.onnx ${E2E_WORK}/det)
set_tests_properties(determinism_resnet18 PROPERTIES FIXTURES_REQUIRED models)

add_test(NAME reentrant_run_with
  COMMAND bash ${E2E}/reentrant.sh ${MLEGEN} ${MODELS_DIR}/cnn/model.onnx ${CMAKE_SOURCE_DIR} ${E2E_WORK}/reent)
set_tests_properties(reentrant_run_with PROPERTIES FIXTURES_REQUIRED models)

add_test(NAME demo_digits
  COMMAND bash ${CMAKE_SOURCE_DIR}/runtime_stub/demo.sh ${MLEGEN} ${CMAKE_SOURCE_DIR} ${E2E_WORK}/demo)

# One configuration under AddressSanitizer + UBSan: mlegen itself built with
# them (a second build tree), and the generated code and harness too.
add_test(NAME asan_build
  COMMAND ${CMAKE_COMMAND} -E env CC=clang
          bash -c "${CMAKE_COMMAND} -S ${CMAKE_SOURCE_DIR} -B ${CMAKE_BINARY_DIR}/asan -DCMAKE_BUILD_TYPE=Debug -DMLEGEN_SANITIZE=ON > /dev/null && ${CMAKE_COMMAND} --build ${CMAKE_BINARY_DIR}/asan --target mlegen -j2 > /dev/null")
set_tests_properties(asan_build PROPERTIES FIXTURES_SETUP asan TIMEOUT 600)
set(SAN_CFLAGS "-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer")
foreach(m mlp cnn residual ops_misc mlp_dynbatch)
  set(d ${MODELS_DIR}/${m})
  add_test(NAME asan_${m}
    COMMAND ${CMAKE_BINARY_DIR}/asan/mlegen check ${d}/model.onnx ${d}/test_data_set_0 ${d}/test_data_set_1
            --cflags ${SAN_CFLAGS})
  set_tests_properties(asan_${m} PROPERTIES FIXTURES_REQUIRED "models;asan" TIMEOUT 600
    ENVIRONMENT "ASAN_OPTIONS=detect_leaks=1:abort_on_error=0;UBSAN_OPTIONS=print_stacktrace=1")
endforeach()

add_test(NAME cli_contract COMMAND bash ${E2E}/cli.sh ${MLEGEN} ${MODELS_DIR} ${E2E_WORK}/cli
  ${CMAKE_BINARY_DIR}/node_tests/node)
set_tests_properties(cli_contract PROPERTIES FIXTURES_REQUIRED models)

add_test(NAME readme_ops_table COMMAND bash ${E2E}/ops_table.sh ${MLEGEN} ${CMAKE_SOURCE_DIR}/README.md)

add_test(NAME generated_examples
  COMMAND bash ${E2E}/generated.sh ${MLEGEN} ${CMAKE_SOURCE_DIR} ${E2E_WORK}/generated)
