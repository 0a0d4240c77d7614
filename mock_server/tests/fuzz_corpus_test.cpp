// The fuzz targets' rules (mock_server/fuzz/checks.hpp) on every committed seed and on
// every input that once broke a target, in the normal build: a crash the fuzzer found
// stays fixed without running the fuzzer.

#include "checks.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace {

struct Target {
  const char *name;
  void (*check)(std::string_view);
};

std::string read_file(const std::filesystem::path &path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

} // namespace

TEST_CASE("regression: fuzz seeds and past crashes keep every rule", "[fuzz][regression]") {
  const auto target =
      GENERATE(values<Target>({{"handler", inspekt::fuzz::check_handler},
                               {"fixture_loader", inspekt::fuzz::check_fixture_loader},
                               {"jwt", inspekt::fuzz::check_jwt},
                               {"http_session", inspekt::fuzz::check_http_session},
                               {"tls_channel", inspekt::fuzz::check_tls_channel},
                               {"admin", inspekt::fuzz::check_admin},
                               {"upload_body", inspekt::fuzz::check_upload_body}}));
  DYNAMIC_SECTION(target.name) {
    int inputs = 0;
    for (const char *kind : {"corpus", "regressions"}) {
      const auto dir = std::filesystem::path(INSPEKT_FUZZ_DIR) / kind / target.name;
      std::error_code missing; // git keeps no empty folder
      for (const auto &entry : std::filesystem::directory_iterator(dir, missing)) {
        INFO(entry.path().string());
        CHECK_NOTHROW(target.check(read_file(entry.path())));
        ++inputs;
      }
    }
    CHECK(inputs > 0);
  }
}
