# Writes a C++ source holding the files of a fixture set as byte arrays, so that the
# program carries its default fixtures and runs with no files at all.
# Usage: cmake -DFIXTURE_DIR=dir -DOUTPUT=file.cpp -P embed_fixtures.cmake
set(names keys.json responses.json tokens.json session.json gate.json)
set(arrays "")
set(entries "")
set(index 0)
foreach(name IN LISTS names)
  file(READ "${FIXTURE_DIR}/${name}" hex HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  string(APPEND arrays "const char file_${index}[] = {${bytes}};\n")
  string(APPEND entries "      {\"${name}\", std::string(file_${index}, sizeof file_${index})},\n")
  math(EXPR index "${index} + 1")
endforeach()
file(WRITE "${OUTPUT}.tmp" "// Generated from ${FIXTURE_DIR} by cmake/embed_fixtures.cmake. Do not edit.
#include \"inspekt/mock/fixtures/fixture_loader.hpp\"

namespace inspekt::mock {
namespace {
${arrays}} // namespace

const std::vector<FixtureFile> &embedded_fixture_files() {
  static const std::vector<FixtureFile> files{
${entries}  };
  return files;
}

} // namespace inspekt::mock
")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
