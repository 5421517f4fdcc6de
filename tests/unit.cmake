# Unit tests: plain C programs that print "N passed, M failed" last.
add_executable(test_plan ${CMAKE_SOURCE_DIR}/tests/test_plan.c ${CMAKE_SOURCE_DIR}/compiler/plan.c)
target_include_directories(test_plan PRIVATE ${CMAKE_SOURCE_DIR}/compiler)
add_test(NAME plan_unit COMMAND test_plan)
