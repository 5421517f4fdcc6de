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
