# Unit tests: plain C programs that print "N passed, M failed" last.
add_executable(test_plan ${CMAKE_SOURCE_DIR}/tests/test_plan.c ${CMAKE_SOURCE_DIR}/compiler/plan.c)
target_include_directories(test_plan PRIVATE ${CMAKE_SOURCE_DIR}/compiler)
add_test(NAME plan_unit COMMAND test_plan)

add_executable(test_ir ${CMAKE_SOURCE_DIR}/tests/test_ir.c)
target_link_libraries(test_ir PRIVATE mlegen_core)
add_test(NAME ir_unit COMMAND test_ir ${CMAKE_SOURCE_DIR}/tests/models/digits.onnx)
