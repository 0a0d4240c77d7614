#pragma once
// What the fixture tests share: the embedded default set with one file replaced, and the
// message a set is refused with.

#include "inspekt/mock/fixtures/fixture_error.hpp"
#include "inspekt/mock/fixtures/fixture_loader.hpp"

#include <cstddef>
#include <limits>
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

// The default set's answer names as a message lists them: in order, the first `shown`
// and then "...". Read from the set, so that a new answer (docs/adding-a-behaviour.md)
// needs no edit of a test.
inline std::string
default_answers_listed(std::size_t shown = std::numeric_limits<std::size_t>::max()) {
  const auto set = load_embedded_fixtures();
  std::string list;
  for (std::size_t i = 0; i < set.answers.size(); ++i) {
    if (i == shown) {
      return list + ", ...";
    }
    list += (i == 0 ? "" : ", ") + set.answers[i].name;
  }
  return list;
}

} // namespace inspekt::mock::test
