# End-to-end: each PyTorch-exported model compiled, built with clang and
# compared with PyTorch's outputs on two data sets.
foreach(m mlp mlp_dynbatch cnn cnn_small residual ops_misc resnet18 mobilenet_v2)
  add_test(NAME e2e_${m}
    COMMAND ${MLEGEN} check ${MODELS_DIR}/${m}/model.onnx
            ${MODELS_DIR}/${m}/test_data_set_0 ${MODELS_DIR}/${m}/test_data_set_1)
  set_tests_properties(e2e_${m} PROPERTIES FIXTURES_REQUIRED models TIMEOUT 900)
endforeach()
