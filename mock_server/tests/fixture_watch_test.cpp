// FixtureWatch (--watch): the ways editors and Kubernetes change files each give one
// reload per burst, and other files give none.

#include "inspekt/mock/control/fixture_watch.hpp"
#include "inspekt/mock/fixtures/fixture_loader.hpp"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <random>
#include <thread>

namespace {

using namespace inspekt::mock;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

class TempDir {
public:
  TempDir() {
    std::random_device random;
    path_ = fs::temp_directory_path() /
            ("inspekt-watch-" + std::to_string(::getpid()) + "-" + std::to_string(random()));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  const fs::path &path() const { return path_; }

private:
  fs::path path_;
};

void write_file(const fs::path &path, const std::string &text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

// Counts the calls, and lets a test wait for the next one.
class Calls {
public:
  std::function<void()> callback() {
    return [this] {
      std::lock_guard<std::mutex> lock(mutex_);
      ++count_;
      changed_.notify_all();
    };
  }
  // The count once `at_least` calls came or `timeout` passed.
  int wait_for(int at_least, std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait_for(lock, timeout, [&] { return count_ >= at_least; });
    return count_;
  }
  int count() {
    std::lock_guard<std::mutex> lock(mutex_);
    return count_;
  }

private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int count_ = 0;
};

const WatchOptions quick{50ms, 50ms};

} // namespace

TEST_CASE("fixture watch: a file written in place gives one call", "[watch]") {
  TempDir dir;
  write_file(dir.path() / "keys.json", "{}");
  Calls calls;
  FixtureWatch watch(dir.path(), calls.callback(), quick);
  write_file(dir.path() / "keys.json", R"({"keys": []})");
  CHECK(calls.wait_for(1, 3s) == 1);
  std::this_thread::sleep_for(200ms); // a second call would come within the quiet time
  CHECK(calls.count() == 1);
}

TEST_CASE("fixture watch: a temporary file renamed over the old one gives one call", "[watch]") {
  TempDir dir;
  write_file(dir.path() / "keys.json", "{}");
  Calls calls;
  FixtureWatch watch(dir.path(), calls.callback(), quick);
  // What vim, VS Code and most tools do on save.
  write_file(dir.path() / ".keys.json.swp", "partial");
  write_file(dir.path() / "keys.json.tmp", R"({"keys": []})");
  fs::rename(dir.path() / "keys.json.tmp", dir.path() / "keys.json");
  CHECK(calls.wait_for(1, 3s) == 1);
  std::this_thread::sleep_for(200ms);
  CHECK(calls.count() == 1);
}

TEST_CASE("fixture watch: a burst of changes gives one call", "[watch]") {
  TempDir dir;
  Calls calls;
  FixtureWatch watch(dir.path(), calls.callback(), WatchOptions{300ms, 50ms});
  for (int i = 0; i < 20; ++i) {
    write_file(dir.path() / fixture_file_names[static_cast<std::size_t>(i) % 4], std::to_string(i));
    std::this_thread::sleep_for(5ms);
  }
  CHECK(calls.wait_for(1, 3s) == 1);
  std::this_thread::sleep_for(500ms);
  CHECK(calls.count() == 1);
}

TEST_CASE("fixture watch: other files give no call", "[watch]") {
  TempDir dir;
  Calls calls;
  FixtureWatch watch(dir.path(), calls.callback(), quick);
  write_file(dir.path() / "notes.txt", "hello");
  write_file(dir.path() / ".keys.json.swp", "partial");
  write_file(dir.path() / "keys.json~", "backup");
  CHECK(calls.wait_for(1, 400ms) == 0);
  // ...while the watch is alive: a fixture file still counts afterwards.
  write_file(dir.path() / "tokens.json", "{}");
  CHECK(calls.wait_for(1, 3s) == 1);
}

TEST_CASE("fixture watch: a Kubernetes ConfigMap swap gives one call", "[watch]") {
  TempDir dir;
  // A ConfigMap volume: keys.json -> ..data/keys.json, ..data -> ..<timestamp>/.
  fs::create_directory(dir.path() / "..2026_12_02_v1");
  write_file(dir.path() / "..2026_12_02_v1" / "keys.json", "{}");
  fs::create_directory_symlink("..2026_12_02_v1", dir.path() / "..data");
  fs::create_symlink("..data/keys.json", dir.path() / "keys.json");
  Calls calls;
  FixtureWatch watch(dir.path(), calls.callback(), quick);
  // The kubelet's update: a new timestamped directory, a new link, renamed over ..data.
  fs::create_directory(dir.path() / "..2026_12_02_v2");
  write_file(dir.path() / "..2026_12_02_v2" / "keys.json", R"({"keys": []})");
  fs::create_directory_symlink("..2026_12_02_v2", dir.path() / "..data_tmp");
  fs::rename(dir.path() / "..data_tmp", dir.path() / "..data");
  fs::remove_all(dir.path() / "..2026_12_02_v1");
  CHECK(calls.wait_for(1, 3s) == 1);
  std::this_thread::sleep_for(200ms);
  CHECK(calls.count() == 1);
}

TEST_CASE("fixture watch: a directory replaced whole is watched again", "[watch]") {
  TempDir parent;
  const fs::path dir = parent.path() / "fixtures";
  fs::create_directory(dir);
  Calls calls;
  FixtureWatch watch(dir, calls.callback(), quick);
  // A deploy that renames a fresh directory into place.
  fs::create_directory(parent.path() / "fixtures.new");
  fs::rename(dir, parent.path() / "fixtures.old");
  fs::rename(parent.path() / "fixtures.new", dir);
  CHECK(calls.wait_for(1, 3s) >= 1);
  const int before = calls.count();
  std::this_thread::sleep_for(200ms);
  // The new directory is the one watched now.
  write_file(dir / "keys.json", "{}");
  CHECK(calls.wait_for(before + 1, 3s) == before + 1);
}

TEST_CASE("fixture watch: a directory that cannot be watched is named", "[watch]") {
  TempDir dir;
  const fs::path missing = dir.path() / "no-such-dir";
  Calls calls;
  try {
    FixtureWatch watch(missing, calls.callback(), quick);
    FAIL("no error for a missing directory");
  } catch (const WatchError &e) {
    CHECK_THAT(e.what(), Catch::Contains(missing.string()) && Catch::Contains("--watch"));
  }
}

TEST_CASE("fixture watch: stops promptly while a burst is pending", "[watch]") {
  TempDir dir;
  Calls calls;
  const auto started = std::chrono::steady_clock::now();
  {
    FixtureWatch watch(dir.path(), calls.callback(), WatchOptions{10s, 50ms});
    write_file(dir.path() / "keys.json", "{}");
    std::this_thread::sleep_for(50ms);
  }
  CHECK(std::chrono::steady_clock::now() - started < 2s);
  CHECK(calls.count() == 0);
}
