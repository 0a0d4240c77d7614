#pragma once
// Reads a fixture set (keys.json, responses.json, tokens.json, session.json) and checks
// every field. Throws FixtureError (see fixture_error.hpp) on the first problem: a set
// is taken whole or not at all.

#include "inspekt/mock/fixture_set.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace inspekt::mock {

struct FixtureFile {
  std::string name; // "keys.json"
  std::string text;
};

inline constexpr std::array<const char *, 4> fixture_file_names{"keys.json", "responses.json",
                                                                "tokens.json", "session.json"};

FixtureSet load_fixtures(const std::vector<FixtureFile> &files, std::string origin);
FixtureSet load_fixtures_from_directory(const std::filesystem::path &directory);
FixtureSet load_embedded_fixtures();

// The default set as compiled into the program (generated at build time from
// fixtures/default/).
const std::vector<FixtureFile> &embedded_fixture_files();

SessionIdFormat parse_session_id_format(const std::string &pattern);

} // namespace inspekt::mock
