# Precompiled third-party headers (INSPEKT_PCH). nlohmann/json.hpp reaches most of our
# translation units and Catch2's single header every test file; each compiled them anew.
# Only third-party and standard headers go in: ours stay plain includes, so a layer's
# include path still decides what it may see (build.layers.*).
#
# A precompiled header serves only compilations with the flags it was built with (gcc
# refuses one built without -Wpedantic, clang one built at another -O level), so there
# is one per set of flags, each built once in a small target of its own and reused by
# the targets below (REUSE_FROM):
#   inspekt_pch_code:  programs and libraries (the build type's flags, warnings);
#   inspekt_pch_tests: test code (inspekt_test_options' -O level, warnings).
# With -Winvalid-pch (CMake adds it) and -Werror, a target whose flags drift from its
# group's fails to build rather than silently parsing the headers again.
# cpp-httplib stays out: its configuration macros come only with PkgConfig::HTTPLIB, which
# not every target of a group links. inspekt_catch_main stays out: it defines
# CATCH_CONFIG_MAIN before including Catch2.

set(inspekt_pch_code_targets
    inspekt_core
    inspekt_client
    inspekt_auth_commands
    inspekt-auth
    inspekt_engine
    inspekt_fixtures
    inspekt_tokens
    inspekt_handler
    inspekt_control
    inspekt-mock
    inspekt_conformance
    inspekt-conformance
    inspekt_fuzz_checks)
set(inspekt_pch_test_targets
    inspekt_test_support
    mock_unit_tests
    mock_integration_tests
    mock_tls_engine_tests
    client_unit_tests
    client_jwt_fallback_tests
    client_fake_gate
    client_session_tests
    client_integration_tests
    client_cli_tests
    conformance_unit_tests)

set(inspekt_pch_code_headers <nlohmann/json.hpp> <string> <vector> <map> <memory> <optional>
                             <functional> <chrono>)
set(inspekt_pch_test_headers ${inspekt_pch_code_headers} <catch2/catch.hpp>)

# One owner per group: a library of one empty source file that builds the header.
function(inspekt_pch_group name headers)
  set(source ${CMAKE_BINARY_DIR}/pch/${name}.cpp)
  file(CONFIGURE OUTPUT ${source} CONTENT "// Builds the precompiled header of ${name}.\n")
  add_library(${name} STATIC ${source})
  target_precompile_headers(${name} PRIVATE ${headers})
  target_link_libraries(${name} PRIVATE ${ARGN} inspekt_warnings)
endfunction()

inspekt_pch_group(inspekt_pch_code "${inspekt_pch_code_headers}" nlohmann_json::nlohmann_json)
foreach(target IN LISTS inspekt_pch_code_targets)
  # inspekt_fuzz_checks exists only with the tests or the fuzzers.
  if(TARGET ${target})
    target_precompile_headers(${target} REUSE_FROM inspekt_pch_code)
  endif()
endforeach()

if(INSPEKT_BUILD_TESTS)
  inspekt_pch_group(inspekt_pch_tests "${inspekt_pch_test_headers}" nlohmann_json::nlohmann_json
                    Catch2::Catch2 inspekt_test_options)
  foreach(target IN LISTS inspekt_pch_test_targets)
    target_precompile_headers(${target} REUSE_FROM inspekt_pch_tests)
  endforeach()
endif()
