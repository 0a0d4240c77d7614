#include "checks.hpp"

#include "inspekt/core/secrets.hpp"
#include "inspekt/core/version.hpp"
#include "inspekt/mock/control/admin_api.hpp"
#include "inspekt/mock/control/dashboard_page.hpp"
#include "inspekt/mock/fixtures/fixture_error.hpp"
#include "inspekt/mock/fixtures/fixture_loader.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <unistd.h>
#include <utility>
#include <vector>

namespace inspekt::fuzz {
namespace {

using mock::HttpRequest;
using mock::HttpResponse;
using nlohmann::json;
namespace fs = std::filesystem;

void require(bool holds, const std::string &rule) {
  if (!holds) {
    throw InvariantBroken("admin: " + rule);
  }
}

constexpr std::int64_t start_epoch = 1764000000;
constexpr std::size_t max_blocks = 48;
constexpr std::size_t too_large_body = 2048; // the transport's limit, as the harness plays it
constexpr std::size_t max_journal = 32;
constexpr std::chrono::milliseconds max_call_time{750};

// Ten API keys and the admin token the input cannot spell: each holds a DEL byte, and
// every DEL (raw or as the JSON escape \u007f) is taken out of the input first.
std::string secret_key(int digit) {
  return std::string("sk\x7f") + char('0' + digit) + "\x7f-fuzz-secret-api-key";
}
const std::string admin_token = "adm\x7ftoken-fuzz-secret";
const std::string wrong_token = "adm\x7ftoken-fuzz-secreT";

std::string without_del(std::string_view input) {
  std::string text(input);
  std::replace(text.begin(), text.end(), '\x7f', '?');
  for (std::size_t at = 0; (at = text.find("\\u007", at)) != std::string::npos; at += 5) {
    if (at + 5 < text.size() && (text[at + 5] == 'f' || text[at + 5] == 'F')) {
      text[at + 4] = '3'; // \u003f: a question mark
    }
  }
  return text;
}

const mock::FixtureSet &embedded() {
  static const mock::FixtureSet loaded = mock::load_embedded_fixtures();
  return loaded;
}

// The fixture patch a reload reads: one file in a directory of this process, removed at
// exit. Neutral ({"patch": {}}) at the start of every input.
class PatchFile {
public:
  PatchFile() {
    std::string pattern = (fs::temp_directory_path() / "inspekt-fuzz-admin-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      throw std::runtime_error("admin: cannot make a temporary directory");
    }
    directory_ = pattern;
    path_ = directory_ / "patch.json";
    write(neutral);
  }
  ~PatchFile() {
    std::error_code ignored;
    fs::remove_all(directory_, ignored);
  }
  PatchFile(const PatchFile &) = delete;
  PatchFile &operator=(const PatchFile &) = delete;

  const fs::path &path() const { return path_; }
  void write(const std::string &text) {
    dirty_ = text != neutral;
    if (text.empty()) {
      std::error_code ignored;
      fs::remove(path_, ignored);
      return;
    }
    std::ofstream(path_, std::ios::binary | std::ios::trunc) << text;
  }
  void restore() {
    if (dirty_) {
      write(neutral);
    }
  }

private:
  static constexpr const char *neutral = R"({"patch": {}})";
  fs::path directory_;
  fs::path path_;
  bool dirty_ = false;
};

PatchFile &patch_file() {
  static PatchFile file;
  return file;
}

// What a journal entry should say, before clipping.
struct Expected {
  std::uint64_t id = 0;
  std::string method;
  std::string path;
  int status = 0;
  std::string answer;
  std::string key_hint; // empty: none
  std::optional<std::string> client_id;
};

enum class Access { open, token, remote, off };

// The set in use before a call, as far as the checks need it. Not held: a swap waits
// (up to a second) for the last holder of the old set to let go of it.
struct Before {
  std::weak_ptr<const mock::AuthHandler> set;
  int too_large = 0;                         // payload_too_large's status
  std::optional<std::string> revoked_answer; // the name of the revoked_key answer
  std::set<std::string> answers;
  std::size_t keys = 0;

  explicit Before(const std::shared_ptr<const mock::AuthHandler> &handler) : set(handler) {
    const auto &fixtures = handler->fixtures();
    too_large = fixtures.response(mock::Outcome::payload_too_large).status;
    if (const auto revoked = fixtures.find_answer(mock::Outcome::revoked_key)) {
      revoked_answer = fixtures.name_of(*revoked);
    }
    for (const auto &answer : fixtures.answers) {
      answers.insert(answer.name);
    }
    keys = fixtures.keys.size();
  }
  bool in_use(const std::shared_ptr<const mock::AuthHandler> &now) const {
    const auto held = set.lock();
    return held != nullptr && held == now;
  }
};

struct Setup {
  Access access = Access::open;
  std::size_t journal_size = 6;
  bool running = false;
};

struct Block {
  std::string method;
  std::string path;
  std::string query;
  std::optional<std::string> prefer;
  std::string body;
  char credentials = 0; // '-': none, '~': a wrong token
};

Setup parse_setup(std::string_view text) {
  Setup setup;
  std::size_t at = 1;
  while (at < text.size()) {
    const auto end = std::min(text.find_first_of(" \n", at), text.size());
    const auto word = text.substr(at, end - at);
    at = end + 1;
    if (word == "token") {
      setup.access = Access::token;
    } else if (word == "remote") {
      setup.access = Access::remote;
    } else if (word == "off") {
      setup.access = Access::off;
    } else if (word == "running") {
      setup.running = true;
    } else if (word.rfind("journal=", 0) == 0) {
      const auto digits = word.substr(8, 2);
      setup.journal_size = 0;
      for (const char c : digits) {
        if (c >= '0' && c <= '9') {
          setup.journal_size = setup.journal_size * 10 + static_cast<std::size_t>(c - '0');
        }
      }
      setup.journal_size = std::min(setup.journal_size, max_journal);
    }
  }
  return setup;
}

Block parse_block(std::string_view text) {
  Block block;
  const auto newline = std::min(text.find('\n'), text.size());
  std::string_view line = text.substr(0, newline);
  block.body = std::string(text.substr(std::min(newline + 1, text.size())));
  if (const auto tab = line.find('\t'); tab != std::string_view::npos) {
    block.prefer = std::string(line.substr(tab + 1));
    line = line.substr(0, tab);
  }
  if (!line.empty() && (line.front() == '-' || line.front() == '~')) {
    block.credentials = line.front();
    line.remove_prefix(1);
  }
  const auto space = line.find(' ');
  block.method = std::string(line.substr(0, space));
  std::string_view target = space == std::string_view::npos ? "" : line.substr(space + 1);
  target = target.substr(0, target.find('#'));
  const auto mark = target.find('?');
  block.path = std::string(target.substr(0, mark));
  if (mark != std::string_view::npos) {
    block.query = std::string(target.substr(mark + 1));
  }
  return block;
}

std::size_t count_of(std::string_view text, std::string_view what) {
  std::size_t found = 0;
  for (auto at = text.find(what); at != std::string_view::npos; at = text.find(what, at + 1)) {
    ++found;
  }
  return found;
}

// A member of an answer, or null: const operator[] on a missing member is undefined.
json member(const json &object, const std::string &name) {
  const auto found = object.find(name);
  return found == object.end() ? json() : *found;
}

int depth_of(const json &value) {
  int deepest = 0;
  if (value.is_structured()) {
    for (const auto &member : value) {
      deepest = std::max(deepest, depth_of(member));
    }
    return deepest + 1;
  }
  return 0;
}

bool clipped_from(const std::string &shown, const std::string &original, std::size_t limit) {
  if (original.size() <= limit) {
    return shown == original;
  }
  if (shown.size() > limit || shown.size() < 3 || shown.compare(shown.size() - 3, 3, "...") != 0) {
    return false;
  }
  return original.compare(0, shown.size() - 3, shown, 0, shown.size() - 3) == 0;
}

// A query's NAME=VALUE pairs, split on '&' (empty pairs skipped), as the model reads them.
std::vector<std::pair<std::string, std::string_view>> query_pairs(std::string_view rest) {
  std::vector<std::pair<std::string, std::string_view>> pairs;
  while (!rest.empty()) {
    const auto pair = rest.substr(0, rest.find('&'));
    rest.remove_prefix(std::min(rest.size(), pair.size() + 1));
    if (!pair.empty()) {
      const auto name = pair.substr(0, pair.find('='));
      pairs.emplace_back(name, pair.size() > name.size() ? pair.substr(name.size() + 1) : "");
    }
  }
  return pairs;
}

std::optional<std::size_t> count_value(std::string_view text) {
  if (text.empty() || text.size() > 18 ||
      text.find_first_not_of("0123456789") != std::string_view::npos) {
    return std::nullopt;
  }
  return static_cast<std::size_t>(std::stoull(std::string(text)));
}

const std::array<std::pair<std::string_view, std::vector<std::string_view>>, 11> routes{{
    {"/__admin", {"GET"}},
    {"/__admin/", {"GET"}},
    {"/__admin/ui", {"GET"}},
    {"/__admin/health", {"GET"}},
    {"/__admin/requests", {"GET", "DELETE"}},
    {"/__admin/requests/count", {"POST"}},
    {"/__admin/keys", {"GET", "POST"}},
    {"/__admin/keys/revoke", {"POST"}},
    {"/__admin/clock", {"GET", "POST"}},
    {"/__admin/reset", {"POST"}},
    {"/__admin/fixtures/reload", {"POST"}},
}};

class Run {
public:
  explicit Run(const Setup &setup) : setup_(setup), base_(&embedded()) {
    mock::RuntimeOptions options;
    options.source.patch_file = patch_file().path();
    options.determinism.seed = 1;
    if (!setup.running) {
      options.determinism.now_epoch_seconds = start_epoch;
    }
    options.journal_size = setup.journal_size;
    runtime_ = std::make_shared<mock::MockRuntime>(embedded(), options);
    mock::AdminAccess access;
    access.enabled = setup.access != Access::off;
    access.loopback_host = setup.access != Access::remote;
    if (setup.access == Access::token) {
      access.token = admin_token;
    }
    api_ = std::make_unique<mock::AdminApi>(runtime_, access);
    for (const auto &entry : base_->keys) {
      base_keys_.insert(entry.key);
    }
    clock_offset_ = setup.running ? 0 : start_epoch;
    check_journal();
  }

  void step(Block block) {
    for (int digit = 0; digit < 10; ++digit) {
      const std::string mark = "$" + std::to_string(digit);
      const auto uses = count_of(block.body, mark);
      if (uses == 0) {
        continue;
      }
      std::string body;
      for (std::size_t at = 0;;) {
        const auto next = block.body.find(mark, at);
        body += block.body.substr(at, next - at);
        if (next == std::string::npos) {
          break;
        }
        body += secret_key(digit);
        at = next + mark.size();
      }
      block.body = std::move(body);
      // A secret only travels as the body's "key"; anywhere else the input shows it.
      const auto parsed = json::parse(block.body, nullptr, false);
      if (block.method == "%patch" || uses != 1 || !parsed.is_object() ||
          parsed.value("key", json()) != json(secret_key(digit))) {
        shown_.insert(digit);
      }
    }
    if (block.method == "%patch") {
      patch_file().write(block.body);
      return;
    }

    HttpRequest request;
    request.method = block.method;
    request.path = block.path;
    request.query = block.query;
    request.content_type = "application/json";
    request.body = block.body;
    request.body_too_large = block.body.size() > too_large_body;
    request.prefer = block.prefer;
    if (setup_.access == Access::token && block.credentials != '-') {
      request.authorization = "Bearer " + (block.credentials == '~' ? wrong_token : admin_token);
    }

    const Before before(runtime_->handler());
    const auto started = std::chrono::steady_clock::now();
    const auto handled = api_->handle(request);
    // Regression: a runtime key or a revocation waited the whole second that a swap
    // allows the old set's last holder, because the call itself held it.
    require(std::chrono::steady_clock::now() - started < max_call_time,
            "a call on the small embedded set answers in well under a second");
    require(runtime_->sets_left_held() == 0, "no change waits on a set nobody lets go of");
    require(handled.response.deferred == nullptr,
            "on the caller's thread, answers are not deferred");
    check_secrets(handled.response.body, "an answer's body");
    for (const auto &[name, value] : handled.response.headers) {
      check_secrets(name + ": " + value, "an answer's header");
    }
    const bool admin =
        setup_.access != Access::off &&
        (request.path.rfind(mock::admin_prefix, 0) == 0 || request.path == "/__admin");
    if (admin) {
      require(!handled.facts.journaled && handled.facts.answer == "admin",
              "admin calls are not journaled");
      check_admin(request, block.credentials, handled.response, before);
    } else {
      require(handled.facts.journaled, "requests other than admin calls are journaled");
      record(request, handled);
    }
    check_journal();
  }

private:
  void check_secrets(std::string_view text, const std::string &where) const {
    require(text.find(admin_token) == std::string_view::npos,
            where + " never holds the admin token");
    require(text.find(wrong_token) == std::string_view::npos, where + " never holds a sent token");
    for (int digit = 0; digit < 10; ++digit) {
      if (shown_.count(digit) == 0) {
        require(text.find(secret_key(digit)) == std::string_view::npos,
                where + " never holds an API key");
      }
    }
  }

  // As the engine records an answered request (HttpSession::log_answer).
  void record(const HttpRequest &request, const mock::HandledRequest &handled) {
    const auto &facts = handled.facts;
    require(facts.key_hint.size() <= 7, "a key hint is at most 4 bytes and ...");
    mock::JournalRecord record;
    record.method = request.method;
    record.path = request.path;
    record.status = handled.response.status;
    record.answer = facts.answer;
    record.key_hint = facts.key_hint;
    if (facts.client_id) {
      record.client_id = *facts.client_id;
    }
    record.reason = facts.reason;
    if (request.prefer) {
      record.prefer = *request.prefer;
    }
    record.fault = handled.response.fault;
    record.duration = std::chrono::duration_cast<std::chrono::microseconds>(handled.response.delay);
    record.time_ms = 1764000000123;
    runtime_->journal().record(record);

    Expected expected{next_id_++,   request.method, request.path,   handled.response.status,
                      facts.answer, facts.key_hint, facts.client_id};
    ++total_;
    if (setup_.journal_size > 0) {
      held_.push_front(std::move(expected));
      if (held_.size() > setup_.journal_size) {
        held_.pop_back();
      }
    }
  }

  // The journal itself, after every step: the model's entries, the arithmetic, no secret.
  void check_journal() const {
    const auto &journal = runtime_->journal();
    require(journal.size() <= setup_.journal_size, "the ring never exceeds its size");
    const auto page = journal.newest();
    require(page.total == total_, "total counts the requests recorded since start or clear");
    require(page.entries.size() == held_.size() &&
                page.entries.size() == std::min<std::uint64_t>(total_, setup_.journal_size),
            "the journal holds the newest min(total, size) requests");
    require(page.dropped == page.total - page.entries.size(), "dropped = total - held");
    for (std::size_t i = 0; i < page.entries.size(); ++i) {
      const auto &entry = page.entries[i];
      const auto &want = held_[i];
      require(entry.id == want.id, "ids grow by one per request and are never reused");
      require(entry.status == want.status, "an entry keeps the status");
      require(entry.answer && clipped_from(*entry.answer, want.answer, mock::JournalClip::answer),
              "an entry keeps the answer");
      require(clipped_from(entry.method, want.method, mock::JournalClip::method),
              "an entry keeps the method, clipped");
      require(clipped_from(entry.path, want.path, mock::JournalClip::path),
              "an entry keeps the path, clipped");
      require(entry.key_hint.value_or("") == want.key_hint, "an entry keeps the key hint");
      require(entry.client_id.has_value() == want.client_id.has_value() &&
                  (!want.client_id ||
                   clipped_from(*entry.client_id, *want.client_id, mock::JournalClip::client_id)),
              "an entry keeps the client_id, clipped");
      for (const auto *text : {&entry.method, &entry.path}) {
        check_secrets(*text, "a journal entry");
      }
      for (const auto *text : {&entry.answer, &entry.key_hint, &entry.client_id, &entry.prefer}) {
        check_secrets(text->value_or(""), "a journal entry");
      }
    }
  }

  std::size_t keys_known() const {
    std::set<std::string> all = base_keys_;
    all.insert(runtime_keys_.begin(), runtime_keys_.end());
    all.insert(revoked_.begin(), revoked_.end());
    return all.size();
  }
  bool known(const std::string &key) const {
    return base_keys_.count(key) + runtime_keys_.count(key) + revoked_.count(key) > 0;
  }

  std::int64_t expected_now() const {
    return setup_.running ? mock::system_epoch_seconds() + clock_offset_ : clock_offset_;
  }

  void check_clock(const json &body) const {
    require(body.is_object() && body.size() == 3 && member(body, "now").is_number_integer() &&
                member(body, "now_ms").is_number_integer() && member(body, "frozen").is_boolean(),
            "a clock answer is {now, now_ms, frozen}");
    const auto now = member(body, "now").get<std::int64_t>();
    const auto now_ms = member(body, "now_ms").get<std::int64_t>();
    require(now == (now_ms >= 0 ? now_ms / 1000 : (now_ms - 999) / 1000),
            "now is now_ms in seconds");
    require(member(body, "frozen") == !setup_.running, "the clock stays frozen or running");
    const auto want = expected_now();
    require(setup_.running ? now >= want - 2 && now <= want + 2 : now == want,
            "the clock shows what was set or advanced");
  }

  // A name as an answer shows it: invalid UTF-8 (a name cut at 64 bytes) replaced.
  static json as_shown(const std::string &name) {
    return json::parse(json(name).dump(-1, ' ', false, json::error_handler_t::replace));
  }

  // The 400 a field is at fault for, naming it.
  static void require_field(const HttpResponse &response, const json &body,
                            const std::string &field, const char *rule) {
    const std::string shown = field.size() <= 64 ? field : field.substr(0, 64) + "...";
    require(response.status == 400 && body.contains("field") &&
                member(body, "field") == as_shown(shown),
            rule);
  }

  // The 400 for a query parameter: naming it, unless its name is empty.
  static void require_parameter(const HttpResponse &response, const json &body,
                                const std::string &name, const char *rule) {
    require(response.status == 400 &&
                (name.empty() ? !body.contains("field")
                              : body.value("field", json()) == as_shown(name.substr(0, 64))),
            rule);
  }

  // A header of an answer, by its exact name.
  static std::optional<std::string> header_of(const HttpResponse &response,
                                              const std::string &name) {
    for (const auto &[n, v] : response.headers) {
      if (n == name) {
        return v;
      }
    }
    return std::nullopt;
  }

  void check_admin(const HttpRequest &request, char credentials, const HttpResponse &response,
                   const Before &before) {
    // The dashboard page: served, with a token, whatever the credentials; HTML, not JSON.
    const bool page =
        request.method == "GET" && (request.path == "/__admin/" || request.path == "/__admin/ui");
    // GET /__admin: a redirect to the page, under the page's access rule.
    const bool to_page = request.method == "GET" && request.path == "/__admin";
    if (page && response.status == 200) {
      check_page(request, response);
      return;
    }
    const json body = check_json_answer(response);
    if (setup_.access == Access::token && credentials != 0 && !page && !to_page) {
      require(response.status == 401 && header_of(response, "WWW-Authenticate") == "Bearer",
              "without the token, 401 with WWW-Authenticate: Bearer");
      return;
    }
    require(response.status != 401, "the right token (or none needed) is let in");
    if (setup_.access == Access::remote) {
      require(response.status == 403, "a non-loopback host without a token: 403");
      return;
    }
    if (request.body_too_large) {
      require(response.status == before.too_large, "a body over the limit is the fixtures' 413");
      return;
    }
    if (refused_by_route(request, response, body)) {
      return;
    }
    if (page) {
      require(false, "a GET of the page with no query is the page");
      return;
    }
    if (to_page) {
      require(response.status == 308 && header_of(response, "Location") == "/__admin/",
              "GET /__admin is a 308 to /__admin/");
      return;
    }
    if (!check_bodiless_call(request, response, body, before)) {
      check_call_with_body(request, response, body, before);
    }
  }

  void check_page(const HttpRequest &request, const HttpResponse &response) const {
    require(setup_.access != Access::remote && !request.body_too_large && request.query.empty(),
            "the page is served where the admin API answers, to a GET with no query");
    const mock::DashboardPage &dashboard = mock::dashboard_page();
    std::map<std::string, std::string> headers(response.headers.begin(), response.headers.end());
    require(headers["Content-Type"] == "text/html; charset=utf-8" &&
                headers["Content-Security-Policy"] == dashboard.content_security_policy &&
                response.body == dashboard.html,
            "the page comes whole, as HTML, with its Content-Security-Policy");
  }

  // Every admin answer but the page: a JSON object, an error with a message.
  static json check_json_answer(const HttpResponse &response) {
    require(header_of(response, "Content-Type") == "application/json",
            "every admin answer is application/json");
    json body = json::parse(response.body, nullptr, false);
    require(body.is_object(), "every admin answer is a JSON object");
    if (response.status >= 400) {
      require(member(body, "message").is_string() &&
                  !member(body, "message").get<std::string>().empty(),
              "an error carries a message");
      require(!body.contains("field") || member(body, "field").is_string(), "a field is a string");
    }
    return body;
  }

  // The route table's refusals: an unknown path, another method, a query where none is
  // known. True when the call was one of them.
  static bool refused_by_route(const HttpRequest &request, const HttpResponse &response,
                               const json &body) {
    const auto route = std::find_if(routes.begin(), routes.end(),
                                    [&request](const auto &r) { return r.first == request.path; });
    if (route == routes.end()) {
      require(response.status == 404 && !body.contains("field") &&
                  member(body, "message").get<std::string>().rfind("no admin endpoint: ", 0) == 0,
              "an unknown admin path is a 404");
      return true;
    }
    const auto &methods = route->second;
    if (std::find(methods.begin(), methods.end(), request.method) == methods.end()) {
      std::string allow;
      for (const auto method : methods) {
        allow += (allow.empty() ? "" : ", ") + std::string(method);
      }
      require(response.status == 405 && header_of(response, "Allow") == allow,
              "another method on a known path is a 405 with Allow");
      return true;
    }
    if (request.path != "/__admin/requests" && request.path != "/__admin/keys" &&
        !request.query.empty()) {
      const auto name = request.query.substr(0, request.query.find('='));
      require_parameter(response, body, name,
                        "a query parameter where none is known is a 400 naming it");
      return true;
    }
    return false;
  }

  // The calls that read no body. True when the call was one of them.
  bool check_bodiless_call(const HttpRequest &request, const HttpResponse &response,
                           const json &body, const Before &before) {
    const std::string &path = request.path;
    const std::string &method = request.method;
    if (path == "/__admin/keys" && method == "GET") {
      check_keys(request.query, response, body);
    } else if (path == "/__admin/health") {
      check_health(response, body, before);
    } else if (path == "/__admin/requests" && method == "GET") {
      check_requests(request.query, response, body);
    } else if (path == "/__admin/requests") {
      require(response.status == 200 && body == json{{"cleared", held_.size()}},
              "DELETE /__admin/requests answers how many entries were held");
      held_.clear();
      total_ = 0;
    } else if (path == "/__admin/clock" && method == "GET") {
      require(response.status == 200, "GET /__admin/clock is a 200");
      check_clock(body);
    } else if (path == "/__admin/reset") {
      require(response.status == 200 && body == json{{"reset", true}}, "reset answers {reset}");
      check_reset();
    } else if (path == "/__admin/fixtures/reload") {
      check_reload(response, body, before);
    } else {
      return false;
    }
    return true;
  }

  void check_health(const HttpResponse &response, const json &body, const Before &before) const {
    require(response.status == 200 && body.size() == 5 && member(body, "status") == "ok" &&
                member(body, "version") == std::string(inspekt::version()) &&
                member(body, "uptime_seconds").is_number_integer() &&
                member(body, "uptime_seconds") >= 0 && member(body, "fixtures") == base_->origin,
            "health is {status, version, uptime_seconds, keys, fixtures}");
    require(member(body, "keys") == keys_known() && member(body, "keys") == before.keys,
            "health counts the keys in use, runtime and revoked ones included");
  }

  // The endpoints with a body: a JSON object, then the endpoint's own fields.
  void check_call_with_body(const HttpRequest &request, const HttpResponse &response,
                            const json &body, const Before &before) {
    json fields = json::object();
    if (request.body.find_first_not_of(" \t\r\n") != std::string::npos) {
      fields = json::parse(request.body, nullptr, false);
    }
    if (fields.is_discarded() || !fields.is_object() || depth_of(fields) > 17) {
      require(response.status == 400 && !body.contains("field"),
              "a body that is no JSON object (or nests too deep) is a 400");
      return;
    }
    const std::string &path = request.path;
    if (path == "/__admin/requests/count") {
      check_count(fields, response, body);
    } else if (path == "/__admin/keys") {
      check_add_key(fields, response, body, before);
    } else if (path == "/__admin/keys/revoke") {
      check_revoke(fields, response, body, before);
    } else {
      check_set_clock(fields, response, body);
    }
  }

  // GET /__admin/keys[?source=S&offset=N&limit=N]: a page of at most 1000 keys (of one
  // source when asked), `total` counting every key of that source.
  void check_keys(const std::string &query, const HttpResponse &response, const json &body) {
    std::optional<std::string> source;
    std::size_t offset = 0;
    std::size_t limit = 1000;
    for (const auto &[name, value] : query_pairs(query)) {
      if (name != "source" && name != "offset" && name != "limit") {
        require_parameter(response, body, name, "an unknown query parameter is a 400 naming it");
        return;
      }
      if (name == "source") {
        if (value != "fixtures" && value != "runtime" && value != "revocation") {
          require_field(response, body, name, "a bad source is a 400 naming it");
          return;
        }
        source = std::string(value);
        continue;
      }
      const auto count = count_value(value);
      if (!count) {
        require_field(response, body, name, "a bad offset or limit is a 400 naming it");
        return;
      }
      (name == "offset" ? offset : limit) = *count;
    }
    const auto &keys = member(body, "keys");
    const auto &total = member(body, "total");
    require(response.status == 200 && body.size() == 2 && keys.is_array() &&
                total.is_number_unsigned(),
            "GET /__admin/keys is {keys, total}");
    const auto matching = total.get<std::size_t>();
    require(source ? matching <= keys_known() : matching == keys_known(),
            "GET /__admin/keys counts the keys in use (of the source asked for)");
    const std::size_t shown =
        std::min(std::min(limit, std::size_t{1000}), matching > offset ? matching - offset : 0);
    require(keys.size() == shown, "GET /__admin/keys lists a page of at most 1000 keys");
    for (const auto &key : keys) {
      require(member(key, "key_hint").is_string() &&
                  member(key, "key_hint").get<std::string>().size() <= 7,
              "a listed key shows its hint only");
      require(!source || member(key, "source") == *source,
              "GET /__admin/keys?source=S lists keys of that source only");
    }
  }

  void check_requests(const std::string &query, const HttpResponse &response, const json &body) {
    std::optional<std::size_t> limit;
    std::optional<std::size_t> since;
    for (const auto &[name, text] : query_pairs(query)) {
      if (name != "limit" && name != "since") {
        require_parameter(response, body, name, "an unknown query parameter is a 400 naming it");
        return;
      }
      auto &value = name == "limit" ? limit : since;
      value = count_value(text);
      if (!value) {
        require_field(response, body, name, "a bad limit or since is a 400 naming it");
        return;
      }
    }
    require(response.status == 200 && body.size() == 3 && member(body, "requests").is_array() &&
                member(body, "total") == total_ && member(body, "dropped") == total_ - held_.size(),
            "GET /__admin/requests is {requests, total, dropped}");
    const auto &entries = member(body, "requests");
    // Which held entries, in which order: newest first, or with since those after it,
    // oldest first; limit caps either.
    std::vector<std::size_t> expected; // indices into held_ (newest first)
    for (std::size_t i = 0; i < held_.size(); ++i) {
      if (!since || held_[i].id > *since) {
        expected.push_back(i);
      }
    }
    if (since) {
      std::reverse(expected.begin(), expected.end());
    }
    expected.resize(std::min(limit.value_or(expected.size()), expected.size()));
    require(entries.size() == expected.size(), "limit and since choose the entries");
    static const std::set<std::string> names{
        "id",        "time",        "method",   "path",  "status", "answer", "key_hint",
        "client_id", "duration_ms", "delay_ms", "fault", "prefer", "reason"};
    for (std::size_t i = 0; i < entries.size(); ++i) {
      const auto &entry = entries[i];
      require(entry.is_object() && entry.size() == names.size(), "an entry has its 13 fields");
      for (const auto &[name, value] : entry.items()) {
        require(names.count(name) == 1, "an entry has only the documented fields");
      }
      require(member(entry, "id") == held_[expected[i]].id,
              "entries are newest first by id, or oldest first after since");
      require(member(entry, "delay_ms").is_number_unsigned(), "delay_ms is a whole number");
      require(member(entry, "time").is_string() && member(entry, "method").is_string() &&
                  member(entry, "path").is_string() &&
                  member(entry, "status").is_number_integer() &&
                  member(entry, "duration_ms").is_number(),
              "an entry's fixed fields have their types");
      for (const char *name : {"answer", "key_hint", "client_id", "fault", "prefer", "reason"}) {
        require(member(entry, name).is_null() || member(entry, name).is_string(),
                "optional fields: string or null");
      }
    }
  }

  void check_count(const json &fields, const HttpResponse &response, const json &body) {
    static const std::set<std::string> known{"method",    "status",   "answer",
                                             "client_id", "key_hint", "path"};
    for (const auto &[name, value] : fields.items()) {
      if (known.count(name) == 0) {
        require_field(response, body, name, "an unknown filter field is a 400 naming it");
        return;
      }
    }
    if (setup_.journal_size == 0) {
      require(response.status == 409, "counting with the journal off is a 409");
      return;
    }
    for (const auto &[name, value] : fields.items()) {
      if (name == "status" ? !value.is_number_integer() : !value.is_string()) {
        require_field(response, body, name, "a filter field of the wrong type is a 400 naming it");
        return;
      }
    }
    // The oracle: the held entries as the journal shows them, each filter field compared.
    const auto page = runtime_->journal().newest();
    std::size_t matching = 0;
    for (const auto &entry : page.entries) {
      bool match = true;
      for (const auto &[name, value] : fields.items()) {
        if (name == "status") {
          match = match && value.get<std::int64_t>() == entry.status;
          continue;
        }
        const auto text = value.get<std::string>();
        if (name == "method") {
          match = match && entry.method == text;
        } else if (name == "path") {
          match = match && entry.path == text;
        } else if (name == "answer") {
          match = match && entry.answer == text;
        } else if (name == "client_id") {
          match = match && entry.client_id == text;
        } else {
          const auto hint = entry.key_hint.value_or("");
          const bool dots = hint.size() >= 3 && hint.compare(hint.size() - 3, 3, "...") == 0;
          match = match && !hint.empty() &&
                  (hint == text || (dots && hint.substr(0, hint.size() - 3) == text));
        }
      }
      matching += match ? 1 : 0;
    }
    require(response.status == 200 && body == json{{"count", matching}},
            "count answers how many held entries match every field given");
  }

  void check_add_key(const json &fields, const HttpResponse &response, const json &body,
                     const Before &before) {
    const auto key = fields.find("key");
    const bool string_key = key != fields.end() && key->is_string();
    if (response.status == 201) {
      require(string_key && !known(key->get<std::string>()), "an added key was not known");
      runtime_keys_.insert(key->get<std::string>());
      require(body.size() == 3 &&
                  member(body, "key_hint") == inspekt::key_hint(key->get<std::string>()) &&
                  member(body, "answer").is_string() &&
                  before.answers.count(member(body, "answer").get<std::string>()) == 1 &&
                  member(body, "keys") == keys_known() &&
                  runtime_->handler()->fixtures().keys.size() == keys_known(),
              "an added key answers {key_hint, answer, keys}");
      return;
    }
    require(before.in_use(runtime_->handler()), "a refused key changes nothing");
    if (response.status == 409) {
      require(string_key && known(key->get<std::string>()), "a 409 is a key already known");
      return;
    }
    // A field with an empty name (JSON pointer "/") has no name to give: then none.
    require(response.status == 400 &&
                (member(body, "field").is_string() ||
                 (!body.contains("field") && fields.contains(""))) &&
                member(body, "id").is_string() &&
                member(body, "id").get<std::string>().rfind("fixture.", 0) == 0,
            "a bad key entry is a 400 with its fixture id, naming the field");
  }

  void check_revoke(const json &fields, const HttpResponse &response, const json &body,
                    const Before &before) {
    for (const auto &[name, value] : fields.items()) {
      if (name != "key") {
        require_field(response, body, name, "an unknown revoke field is a 400 naming it");
        return;
      }
    }
    const auto key = fields.find("key");
    if (key == fields.end() || !key->is_string() || key->get<std::string>().empty()) {
      require_field(response, body, "key", "a missing or bad key is a 400 naming key");
      return;
    }
    const auto text = key->get<std::string>();
    if (!before.revoked_answer) {
      require(response.status == 409, "revoking without a revoked_key answer is a 409");
      return;
    }
    require(response.status == 200 && body.size() == 2 &&
                member(body, "revoked") == inspekt::key_hint(text) &&
                member(body, "known") == known(text),
            "a revocation answers {revoked, known}");
    revoked_.insert(text);
    const auto *entry = runtime_->handler()->find_key(text);
    require(entry != nullptr &&
                runtime_->handler()->fixtures().name_of(entry->answer) == *before.revoked_answer,
            "a revoked key gets revoked_key");
    require(runtime_->handler()->fixtures().keys.size() == keys_known(),
            "a revocation adds the key when it was unknown");
  }

  void check_set_clock(const json &fields, const HttpResponse &response, const json &body) {
    for (const auto &[name, value] : fields.items()) {
      if (name != "now" && name != "advance_seconds") {
        require_field(response, body, name, "an unknown clock field is a 400 naming it");
        return;
      }
    }
    const bool has_now = fields.contains("now");
    if (has_now == fields.contains("advance_seconds")) {
      require_field(response, body, has_now ? "advance_seconds" : "now",
                    "exactly one of now and advance_seconds, else a 400 naming one");
      return;
    }
    const char *name = has_now ? "now" : "advance_seconds";
    const auto &value = fields[name];
    const std::int64_t high = has_now ? 253402300799 : 100LL * 366 * 24 * 3600;
    if (!value.is_number_integer() ||
        (value.is_number_unsigned()
             ? value.get<std::uint64_t>() > std::uint64_t(high)
             : value.get<std::int64_t>() < 0 || value.get<std::int64_t>() > high)) {
      require_field(response, body, name, "a clock value out of range is a 400 naming it");
      return;
    }
    const auto seconds = value.get<std::int64_t>();
    if (!has_now) {
      // Never past the year 9999 (a running clock's now is known to a second or two).
      const std::int64_t last = 253402300799;
      const std::int64_t slack = setup_.running ? 2 : 0;
      const std::int64_t room = last - expected_now();
      if (seconds > room + slack || (seconds > room - slack && response.status == 400)) {
        require_field(response, body, name, "an advance past the year 9999 is a 400 naming it");
        return;
      }
    }
    require(response.status == 200, "a good clock change is a 200");
    if (has_now) {
      clock_offset_ = setup_.running ? seconds - mock::system_epoch_seconds() : seconds;
    } else {
      clock_offset_ += seconds;
    }
    check_clock(body);
  }

  // A reset is the start again: journal empty, clock as started, the keys of the set
  // last loaded and nothing else.
  void check_reset() {
    held_.clear();
    total_ = 0;
    runtime_keys_.clear();
    revoked_.clear();
    clock_offset_ = setup_.running ? 0 : start_epoch;
    const auto page = runtime_->journal().newest();
    require(page.total == 0 && page.dropped == 0 && page.entries.empty(),
            "a reset empties the journal");
    const auto &clock = runtime_->clock();
    check_clock(
        json{{"now", clock.now()}, {"now_ms", clock.now_ms().count()}, {"frozen", clock.frozen()}});
    const auto &keys = runtime_->handler()->fixtures().keys;
    require(keys.size() == base_->keys.size(), "a reset keeps only the loaded set's keys");
    for (std::size_t i = 0; i < keys.size(); ++i) {
      require(keys[i].key == base_->keys[i].key &&
                  runtime_->handler()->fixtures().name_of(keys[i].answer) ==
                      base_->name_of(base_->keys[i].answer),
              "a reset gives every key its loaded answer back");
    }
  }

  void check_reload(const HttpResponse &response, const json &body, const Before &before) {
    std::optional<mock::FixtureSet> loaded;
    std::string refused_id;
    try {
      mock::FixtureSource source;
      source.patch_file = patch_file().path();
      loaded = mock::load_fixtures(source);
    } catch (const mock::FixtureError &e) {
      refused_id = e.id();
    }
    if (response.status == 422) {
      require(member(body, "id").is_string() || !body.contains("id"), "a refusal's id is a string");
      require(!loaded ? member(body, "id") == refused_id
                      : !(runtime_keys_.empty() && revoked_.empty()),
              "a reload is refused for a broken set (with its id) or runtime changes that do "
              "not fit it");
      require(before.in_use(runtime_->handler()),
              "after a refused reload the old set keeps serving");
      return;
    }
    require(loaded.has_value(), "a broken set is never loaded");
    reloaded_ = std::make_unique<mock::FixtureSet>(std::move(*loaded));
    base_ = reloaded_.get();
    base_keys_.clear();
    for (const auto &entry : base_->keys) {
      base_keys_.insert(entry.key);
    }
    require(response.status == 200 && body.size() == 5 && member(body, "reloaded") == true &&
                member(body, "fixtures") == base_->origin && member(body, "keys") == keys_known() &&
                member(body, "load_ms").is_number() && member(body, "load_ms") >= 0 &&
                member(body, "swap_ms").is_number() && member(body, "swap_ms") >= 0,
            "a reload answers {reloaded, fixtures, keys, load_ms, swap_ms}");
    require(!before.in_use(runtime_->handler()), "a reload swaps the set");
  }

  Setup setup_;
  std::shared_ptr<mock::MockRuntime> runtime_;
  std::unique_ptr<mock::AdminApi> api_;
  // The model: what the mock should hold.
  const mock::FixtureSet *base_;
  std::unique_ptr<mock::FixtureSet> reloaded_;
  std::set<std::string> base_keys_;
  std::set<std::string> runtime_keys_;
  std::set<std::string> revoked_;
  std::deque<Expected> held_; // newest first
  std::uint64_t total_ = 0;
  std::uint64_t next_id_ = 1;
  std::int64_t clock_offset_ = 0; // frozen: the time; running: ahead of the system clock
  std::set<int> shown_;           // secrets the input put where they may be shown
};

} // namespace

void check_admin(std::string_view raw) {
  const std::string input = without_del(raw);
  patch_file().restore();
  std::vector<std::string_view> blocks;
  std::string_view rest = input;
  while (!rest.empty() && blocks.size() < max_blocks) {
    const auto end = rest.find("\n\n");
    blocks.push_back(rest.substr(0, end));
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 2);
  }
  Setup setup;
  if (!blocks.empty() && !blocks.front().empty() && blocks.front().front() == '%') {
    setup = parse_setup(blocks.front());
    blocks.erase(blocks.begin());
  }
  Run run(setup);
  for (const auto block : blocks) {
    run.step(parse_block(block));
  }
}

} // namespace inspekt::fuzz
