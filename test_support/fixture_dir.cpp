#include "test_support/fixture_dir.hpp"

#include <fstream>
#include <random>

namespace inspekt::testing {

namespace fs = std::filesystem;

FixtureDir::FixtureDir(const fs::path &from) {
  std::random_device seed;
  path_ = fs::temp_directory_path() /
          ("inspekt-fixtures-" + std::to_string(seed()) + "-" + std::to_string(seed()));
  fs::create_directories(path_);
  for (const auto &file : fs::directory_iterator(from)) {
    if (file.path().extension() == ".json") {
      fs::copy_file(file.path(), path_ / file.path().filename());
    }
  }
}

FixtureDir::~FixtureDir() {
  std::error_code ignored;
  fs::remove_all(path_, ignored);
}

nlohmann::json FixtureDir::read(const std::string &name) const {
  std::ifstream in(path_ / name);
  return nlohmann::json::parse(in);
}

void FixtureDir::write(const std::string &name, const nlohmann::json &value) const {
  write_text(name, value.dump(2));
}

void FixtureDir::write_text(const std::string &name, const std::string &text) const {
  // Written beside and renamed, as editors do: a reader never sees half a file.
  const fs::path temporary = path_ / (name + ".tmp");
  std::ofstream(temporary) << text;
  fs::rename(temporary, path_ / name);
}

void FixtureDir::add_key(const nlohmann::json &entry) const {
  nlohmann::json keys = read("keys.json");
  keys["keys"].push_back(entry);
  write("keys.json", keys);
}

} // namespace inspekt::testing
