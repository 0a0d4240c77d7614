#pragma once
// What the fixture tests share: the embedded default set with one file replaced, and the
// message a set is refused with.

#include "inspekt/mock/fixtures/fixture_error.hpp"
#include "inspekt/mock/fixtures/fixture_loader.hpp"

#include <string>
#include <vector>

namespace inspekt::mock::test {

inline std::vector<FixtureFile> default_files_with(const std::string &name,
                                                   const std::string &text) {
  auto files = embedded_fixture_files();
  for (auto &file : files) {
    if (file.name == name) {
      file.text = text;
    }
  }
  return files;
}

inline std::string error_of(const std::vector<FixtureFile> &files) {
  try {
    load_fixtures(files, "test");
  } catch (const FixtureError &e) {
    return e.what();
  }
  return "loaded without error";
}

} // namespace inspekt::mock::test
