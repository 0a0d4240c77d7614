#pragma once
// A copy of a fixture set in a temporary directory of its own, for tests that change
// the files and reload them; removed by the destructor.

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

namespace inspekt::testing {

class FixtureDir {
public:
  explicit FixtureDir(const std::filesystem::path &from);
  ~FixtureDir();
  FixtureDir(const FixtureDir &) = delete;
  FixtureDir &operator=(const FixtureDir &) = delete;

  const std::filesystem::path &path() const { return path_; }
  nlohmann::json read(const std::string &name) const;
  void write(const std::string &name, const nlohmann::json &value) const;
  void write_text(const std::string &name, const std::string &text) const;
  // keys.json with one more entry.
  void add_key(const nlohmann::json &entry) const;

private:
  std::filesystem::path path_;
};

} // namespace inspekt::testing
