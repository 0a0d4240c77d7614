# Compiles a one-line probe that includes HEADER, with exactly the include path a layer's
# sources get (INCLUDES, the target's transitive include directories), and checks the
# outcome: EXPECT=pass for a header of the layer itself or of one below it, EXPECT=fail
# for a header of a layer above it, which must fail because the header is not found
# (not for any other reason, so that the check cannot pass by accident).
#
#   cmake -DCXX=... -DINCLUDES="a|b" -DHEADER=inspekt/mock/x/y.hpp -DEXPECT=pass|fail
#         -DPROBE_IN=.../probe.cpp.in -DWORK=dir -P check_layer_includes.cmake
foreach(var CXX INCLUDES HEADER EXPECT PROBE_IN WORK)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "check_layer_includes: -D${var}= is missing")
  endif()
endforeach()
string(REPLACE "|" ";" INCLUDES "${INCLUDES}")
string(MAKE_C_IDENTIFIER "${HEADER}" probe_name)
set(PROBE_HEADER ${HEADER})
configure_file(${PROBE_IN} ${WORK}/${probe_name}.cpp @ONLY)
set(flags -std=c++17 -fsyntax-only)
foreach(dir IN LISTS INCLUDES)
  list(APPEND flags -I${dir})
endforeach()
execute_process(COMMAND ${CXX} ${flags} ${WORK}/${probe_name}.cpp RESULT_VARIABLE result
                OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(EXPECT STREQUAL "pass")
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "including ${HEADER} should compile with this layer's include path:\n${out}")
  endif()
elseif(EXPECT STREQUAL "fail")
  if(result EQUAL 0)
    message(FATAL_ERROR "${HEADER} is visible to a layer below it: the include path leaks")
  endif()
  # gcc: "HEADER: No such file or directory"; clang: "'HEADER' file not found".
  string(FIND "${out}" "${HEADER}: No such file" not_found_gcc)
  string(FIND "${out}" "'${HEADER}' file not found" not_found_clang)
  if(not_found_gcc EQUAL -1 AND not_found_clang EQUAL -1)
    message(FATAL_ERROR "including ${HEADER} failed, but not for want of the header:\n${out}")
  endif()
else()
  message(FATAL_ERROR "check_layer_includes: EXPECT must be pass or fail, not '${EXPECT}'")
endif()
message(STATUS "${HEADER}: ${EXPECT}ed as expected")
