# Operator tests beyond the ONNX node suite (tests/ops/gen_op_models.py
# documents what they cover): each case through `mlegen check` against its
# numpy reference, and its generated C through the strict warning build.
set(OPS_DIR ${CMAKE_BINARY_DIR}/op_models)
add_test(NAME ops_gen COMMAND ${MLEGEN_PYTHON} ${CMAKE_SOURCE_DIR}/tests/ops/gen_op_models.py ${OPS_DIR})
set_tests_properties(ops_gen PROPERTIES FIXTURES_SETUP op_models TIMEOUT 300)
foreach(c convtranspose_groups globallppool lpnormalization_p1 lpnormalization_p2 lppool
          maxpool_3d_indices maxroipool onehot_const pad_axes_reflect pad_negative_constant
          resize_const_scales roialign_max sequence_ops split_num_outputs tile_const)
  add_test(NAME ops_${c}
    COMMAND ${MLEGEN} check ${OPS_DIR}/${c}/model.onnx ${OPS_DIR}/${c}/test_data_set_0 --cflags -O1)
  add_test(NAME ops_warnings_${c}
    COMMAND bash ${CMAKE_SOURCE_DIR}/tests/e2e/warnings.sh ${MLEGEN} ${OPS_DIR}/${c}/model.onnx
            ${CMAKE_BINARY_DIR}/op_warn/${c})
  set_tests_properties(ops_${c} ops_warnings_${c} PROPERTIES FIXTURES_REQUIRED op_models TIMEOUT 300)
endforeach()

# String tensors (tests/ops/gen_string_models.py): Cast to and from string,
# movement ops on strings, StringNormalizer on Latin-1 and other scripts.
set(STR_DIR ${CMAKE_BINARY_DIR}/string_models)
add_test(NAME ops_strings_gen
  COMMAND ${MLEGEN_PYTHON} ${CMAKE_SOURCE_DIR}/tests/ops/gen_string_models.py ${STR_DIR})
set_tests_properties(ops_strings_gen PROPERTIES FIXTURES_SETUP string_models TIMEOUT 300)
foreach(c str_cast_format str_cast_lifetime str_cast_parse str_movement str_normalizer_lower str_normalizer_upper)
  add_test(NAME ops_${c}
    COMMAND ${MLEGEN} check ${STR_DIR}/${c}/model.onnx ${STR_DIR}/${c}/test_data_set_0
            --cflags "-O1 -Wall -Wextra -pedantic -Werror")
  add_test(NAME ops_warnings_${c}
    COMMAND bash ${CMAKE_SOURCE_DIR}/tests/e2e/warnings.sh ${MLEGEN} ${STR_DIR}/${c}/model.onnx
            ${CMAKE_BINARY_DIR}/op_warn/${c})
  set_tests_properties(ops_${c} ops_warnings_${c} PROPERTIES FIXTURES_REQUIRED string_models
    TIMEOUT 300)
  # The sanitized mlegen, generated code and harness (SAN_CFLAGS: e2e.cmake).
  add_test(NAME asan_${c}
    COMMAND ${CMAKE_BINARY_DIR}/asan/mlegen check ${STR_DIR}/${c}/model.onnx
            ${STR_DIR}/${c}/test_data_set_0 --cflags ${SAN_CFLAGS})
  set_tests_properties(asan_${c} PROPERTIES FIXTURES_REQUIRED "string_models;asan" TIMEOUT 300
    ENVIRONMENT "ASAN_OPTIONS=detect_leaks=1:abort_on_error=0;UBSAN_OPTIONS=print_stacktrace=1")
endforeach()
