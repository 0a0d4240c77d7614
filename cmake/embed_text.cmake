# Writes a C++ header holding one file's bytes as a char array, so that the program
# carries the file (the dashboard page) and serves it with no files at all.
# Usage: cmake -DINPUT=file -DOUTPUT=header.hpp -DNAME=identifier -P embed_text.cmake
file(READ "${INPUT}" hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
file(WRITE "${OUTPUT}.tmp" "// Generated from ${INPUT} by cmake/embed_text.cmake. Do not edit.
#pragma once

namespace inspekt::mock::detail {
inline constexpr char ${NAME}[] = {${bytes}};
} // namespace inspekt::mock::detail
")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
