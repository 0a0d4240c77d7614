// The access log and the journal say what the client saw: for every fault and for a
// delayed answer, the status that went on the wire (none when no head went out), the
// fault's name, and the time to the answer's last byte, beside what a raw client read.

#include "inspekt/mock/control/access_log.hpp"
#include "inspekt/mock/control/admin_api.hpp"
#include "inspekt/mock/engine/mock_server.hpp"
#include "test_support/fixture_dir.hpp"
#include "test_support/raw_http.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <regex>
#include <sstream>

using namespace inspekt::mock;
using inspekt::testing::post_request;
using inspekt::testing::RawConnection;
using inspekt::testing::status_of;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

struct Case {
  std::string prefer;
  std::optional<Fault> fault;
  std::optional<int> wire_status; // what the client reads in a status line, if any
  std::chrono::milliseconds at_least;
};

// What one log line says of a delivered answer.
struct Logged {
  std::optional<int> status;
  double duration_ms = -1;
  std::optional<std::string> fault;
};

Logged parse_line(const std::string &line, LogFormat format) {
  Logged logged;
  if (format == LogFormat::json) {
    const auto entry = json::parse(line);
    if (!entry["status"].is_null()) {
      logged.status = entry["status"].get<int>();
    }
    logged.duration_ms = entry.value("duration_ms", -1.0);
    if (entry.contains("fault")) {
      logged.fault = entry["fault"].get<std::string>();
    }
    return logged;
  }
  static const std::regex shape(R"(^\S+ POST /api/authenticate (\d+|-) ([0-9.]+)ms .*)");
  std::smatch match;
  REQUIRE(std::regex_match(line, match, shape));
  if (match[1] != "-") {
    logged.status = std::stoi(match[1]);
  }
  logged.duration_ms = std::stod(match[2]);
  static const std::regex fault(R"( fault=(\S+))");
  if (std::regex_search(line, match, fault)) {
    logged.fault = match[1];
  }
  return logged;
}

std::string last_line(const std::string &text) {
  const auto end = text.find_last_not_of('\n');
  const auto begin = text.rfind('\n', end);
  return text.substr(begin == std::string::npos ? 0 : begin + 1, end - begin);
}

} // namespace

TEST_CASE("the log and the journal say what the client saw, for every fault and a delay",
          "[server][log][faults]") {
  const LogFormat format = GENERATE(LogFormat::text, LogFormat::json);
  inspekt::testing::FixtureDir dir{INSPEKT_DEFAULT_FIXTURES};
  RuntimeOptions options;
  options.source.directory = dir.path();
  auto runtime = std::make_shared<MockRuntime>(options);
  auto api = std::make_shared<AdminApi>(runtime, AdminAccess{});
  std::ostringstream text;
  auto log = std::make_shared<AccessLog>(&text, format);
  ServerOptions server_options;
  server_options.port = 0;
  server_options.event_loops = 1;
  BackgroundMockServer server(api, server_options, log);

  const std::vector<Case> cases = {
      {"fault=CONNECTION_RESET_BY_PEER", Fault::connection_reset_by_peer, std::nullopt, 0ms},
      {"fault=EMPTY_RESPONSE", Fault::empty_response, std::nullopt, 0ms},
      {"fault=RANDOM_DATA_THEN_CLOSE", Fault::random_data_then_close, std::nullopt, 0ms},
      {"fault=MALFORMED_RESPONSE_CHUNK", Fault::malformed_response_chunk, 200, 0ms},
      {"fault=TRUNCATED_BODY", Fault::truncated_body, 200, 0ms},
      {"fault=SLOW_BODY, delay=300", Fault::slow_body, 200, 300ms},
      {"delay=400", std::nullopt, 200, 400ms},
  };
  for (const auto &c : cases) {
    INFO("Prefer: " << c.prefer);
    RawConnection client(server.port());
    REQUIRE(client.connected());
    const auto sent = std::chrono::steady_clock::now();
    REQUIRE(
        client.send(post_request(R"({"key":"demo-valid-key"})", "Prefer: " + c.prefer + "\r\n")));
    std::string seen = client.read_response(5s);
    if (c.fault && c.fault != Fault::slow_body) {
      CHECK(client.closed_by_peer(5s)); // every other fault ends the connection
    }
    const auto waited = std::chrono::steady_clock::now() - sent;
    // What the client saw.
    const int client_status = status_of(seen);
    CHECK(client_status == c.wire_status.value_or(0));
    if (c.fault == Fault::random_data_then_close) {
      CHECK_FALSE(seen.empty());
    } else if (c.fault == Fault::connection_reset_by_peer || c.fault == Fault::empty_response) {
      CHECK(seen.empty());
    }
    CHECK(waited >= c.at_least);

    REQUIRE(log->flush());
    const Logged logged = parse_line(last_line(text.str()), format);
    CHECK(logged.status == c.wire_status);
    CHECK(logged.fault ==
          (c.fault ? std::optional<std::string>(to_string(*c.fault)) : std::nullopt));
    CHECK(logged.duration_ms >= static_cast<double>(c.at_least.count()));
    CHECK(logged.duration_ms < static_cast<double>(c.at_least.count()) + 1500.0);

    const auto entries = runtime->journal().newest(1).entries;
    REQUIRE(entries.size() == 1);
    CHECK(entries[0].status == c.wire_status);
    CHECK(entries[0].fault == c.fault);
    CHECK(entries[0].duration >= c.at_least);
    CHECK(std::abs(static_cast<double>(entries[0].duration.count()) / 1000.0 - logged.duration_ms) <
          1.0);
  }
}
