#include "inspekt/mock/control/admin_api.hpp"

#include "inspekt/core/exchange.hpp"
#include "inspekt/core/secrets.hpp"
#include "inspekt/core/version.hpp"
#include "inspekt/mock/control/dashboard_page.hpp"
#include "inspekt/mock/control/lifecycle.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <arpa/inet.h>

#include <array>
#include <cctype>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <functional>
#include <initializer_list>
#include <mutex>
#include <thread>

namespace inspekt::mock {
namespace {

using nlohmann::json;

// Deeper admin bodies than this are refused before they are built.
constexpr int max_admin_json_depth = 16;
// A century forward at a time; the clock's upper bound is max_clock_seconds (year 9999).
constexpr std::int64_t max_advance_seconds = 100LL * 366 * 24 * 3600;

std::string dump(const json &value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

HttpResponse json_answer(int status, const json &body) {
  HttpResponse response;
  response.status = status;
  response.headers.emplace_back("Content-Type", "application/json");
  response.body = dump(body);
  return response;
}

HttpResponse error(int status, const std::string &message, const std::string &field = "") {
  json body{{"message", message}};
  if (!field.empty()) {
    body["field"] = field;
  }
  return json_answer(status, body);
}

// An admin body: JSON whatever its Content-Type (curl -d sends a form type); empty is {}.
struct Parsed {
  json value = json::object();
  std::optional<HttpResponse> problem;
};

Parsed parse_body(const std::string &text) {
  Parsed body;
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
    return body;
  }
  bool too_deep = false;
  const auto limit_depth = [&too_deep](int depth, json::parse_event_t, json &) {
    too_deep = too_deep || depth > max_admin_json_depth;
    return !too_deep;
  };
  body.value = json::parse(text, limit_depth, /*allow_exceptions=*/false);
  if (too_deep) {
    body.problem = error(400, "the body nests deeper than " + std::to_string(max_admin_json_depth) +
                                  " levels");
  } else if (body.value.is_discarded()) {
    body.problem = error(400, "the body is not JSON");
  } else if (!body.value.is_object()) {
    body.problem = error(400, "the body must be a JSON object");
  }
  return body;
}

// The first member of `object` not in `known`, as a 400.
std::optional<HttpResponse> unknown_field(const json &object,
                                          std::initializer_list<std::string_view> known) {
  for (const auto &[name, value] : object.items()) {
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      std::string list;
      for (const auto k : known) {
        list += (list.empty() ? "" : ", ") + std::string(k);
      }
      const std::string shown = name.size() <= 64 ? name : name.substr(0, 64) + "...";
      return error(400, "unknown field \"" + shown + "\" (known: " + list + ")", shown);
    }
  }
  return std::nullopt;
}

json or_null(const std::optional<std::string> &value) {
  return value ? json(*value) : json(nullptr);
}

json entry_json(const JournalEntry &entry) {
  json out;
  out["id"] = entry.id;
  out["time"] = utc_timestamp(entry.time_ms);
  out["method"] = entry.method;
  out["path"] = entry.path;
  out["status"] = entry.status ? json(*entry.status) : json(nullptr); // none: no head went out
  out["answer"] = or_null(entry.answer);
  out["key_hint"] = or_null(entry.key_hint);
  out["client_id"] = or_null(entry.client_id);
  out["duration_ms"] = std::round(static_cast<double>(entry.duration.count())) / 1000.0;
  out["delay_ms"] = entry.delay.count();
  out["fault"] = entry.fault ? json(std::string(to_string(*entry.fault))) : json(nullptr);
  out["prefer"] = or_null(entry.prefer);
  out["reason"] = entry.reason ? json(std::string(to_string(*entry.reason))) : json(nullptr);
  if (entry.parts) {
    // A guarded multipart body's parts: what was sent, never the bytes.
    json parts = json::array();
    for (const auto &part : *entry.parts) {
      parts.push_back(json{{"name", part.name},
                           {"filename", or_null(part.filename)},
                           {"media_type", or_null(part.media_type)},
                           {"size", part.size}});
    }
    out["parts"] = std::move(parts);
    if (entry.parts_omitted != 0) {
      out["parts_omitted"] = entry.parts_omitted;
    }
  }
  return out;
}

json clock_json(const Clock &clock) {
  return json{{"now", clock.now()}, {"now_ms", clock.now_ms().count()}, {"frozen", clock.frozen()}};
}

json refusal_json(const RuntimeRefusal &refusal) {
  json body{{"message", refusal.message}};
  if (!refusal.field.empty()) {
    body["field"] = refusal.field;
  }
  if (!refusal.id.empty()) {
    body["id"] = refusal.id;
  }
  return body;
}

// The largest count a query parameter takes: 18 digits.
constexpr std::string_view count_range = "a whole number from 0 to 999999999999999999";

// A non-negative decimal integer of at most 18 digits.
std::optional<std::size_t> parse_count(std::string_view text) {
  if (text.empty() || text.size() > 18 ||
      text.find_first_not_of("0123456789") != std::string_view::npos) {
    return std::nullopt;
  }
  std::size_t value = 0;
  for (const char c : text) {
    value = value * 10 + static_cast<std::size_t>(c - '0');
  }
  return value;
}

// An integer member in 0..high, or the 400 naming it.
std::optional<HttpResponse> read_whole(const json &object, const char *name, std::int64_t high,
                                       std::int64_t &out) {
  const json &value = object.at(name);
  if (!value.is_number_integer() || value.get<std::int64_t>() < 0 ||
      (value.is_number_unsigned() &&
       value.get<std::uint64_t>() > static_cast<std::uint64_t>(high)) ||
      value.get<std::int64_t>() > high) {
    return error(400, std::string(name) + " must be an integer from 0 to " + std::to_string(high),
                 name);
  }
  out = value.get<std::int64_t>();
  return std::nullopt;
}

// The query of a request, NAME=VALUE pairs split on '&', each NAME one of `known`; the
// 400 naming the first unknown one otherwise. A name given
// twice keeps its last value.
struct QueryReading {
  std::vector<std::pair<std::string_view, std::string_view>> pairs;
  std::optional<HttpResponse> problem;
};

QueryReading read_query(std::string_view query, std::initializer_list<std::string_view> known) {
  QueryReading reading;
  while (!query.empty()) {
    const std::string_view pair = query.substr(0, query.find('&'));
    query.remove_prefix(std::min(query.size(), pair.size() + 1));
    if (pair.empty()) {
      continue;
    }
    const std::string_view name = pair.substr(0, pair.find('='));
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      const std::string shown(name.substr(0, 64));
      std::string names;
      for (const std::string_view each : known) {
        names += (names.empty() ? "" : ", ") + std::string(each);
      }
      reading.problem =
          error(400,
                "unknown query parameter \"" + shown + "\"" +
                    (names.empty() ? " (this endpoint takes none)" : " (known: " + names + ")"),
                shown);
      return reading;
    }
    reading.pairs.emplace_back(name, pair.size() > name.size() ? pair.substr(name.size() + 1)
                                                               : std::string_view());
  }
  return reading;
}

// The count a query parameter gives, or the 400 naming it.
std::optional<HttpResponse> read_count(std::string_view name, std::string_view value,
                                       std::string_view what, std::optional<std::size_t> &out) {
  out = parse_count(value);
  if (out) {
    return std::nullopt;
  }
  return error(400, std::string(name) + " must be " + std::string(count_range) + std::string(what),
               std::string(name));
}

// The paths of the dashboard page.
bool is_page_path(std::string_view path) {
  return path == "/__admin/" || path == "/__admin/ui" || path == "/__admin";
}

// At most this many keys are listed by GET /__admin/keys (a set may hold 100,000).
constexpr std::size_t max_listed_keys = 1000;

constexpr std::string_view to_string(KeySource source) {
  switch (source) {
  case KeySource::fixtures:
    return "fixtures";
  case KeySource::runtime:
    return "runtime";
  case KeySource::revocation:
    return "revocation";
  }
  return "fixtures";
}

// The host of a Host header ("127.0.0.1:8080", "[::1]:8080", "localhost") or of an
// Origin ("http://localhost:8080"), lower-cased and without its port.
std::string host_name(std::string_view authority) {
  if (const auto scheme = authority.find("://"); scheme != std::string_view::npos) {
    authority.remove_prefix(scheme + 3);
  }
  authority = authority.substr(0, authority.find('/'));
  const std::size_t end = authority.substr(0, 1) == "["
                              ? std::min(authority.find(']'), authority.size() - 1) + 1
                              : authority.find(':');
  std::string name(authority.substr(0, end));
  for (char &c : name) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return name;
}

bool is_admin_path(std::string_view path) {
  return path.compare(0, admin_prefix.size(), admin_prefix) == 0 || path == "/__admin";
}

} // namespace

bool is_loopback_host(std::string_view host) {
  if (host == "localhost") {
    return true;
  }
  std::string text(host);
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
  }
  in_addr v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, text.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_LOOPBACK(&v6)) {
      return true;
    }
    return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
  }
  return false;
}

// One thread running admin calls in the order they were posted. Calls not begun when it
// stops are dropped: the server has stopped by then, and nobody waits for them.
class AdminApi::Worker {
public:
  // Signals blocked: SIGTERM and SIGHUP are the lifecycle thread's.
  Worker() : thread_(start_background_thread([this] { run(); })) {}
  ~Worker() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
  }
  Worker(const Worker &) = delete;
  Worker &operator=(const Worker &) = delete;

  void post(std::function<void()> call) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      calls_.push_back(std::move(call));
    }
    wake_.notify_one();
  }

private:
  void run() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (true) {
      wake_.wait(lock, [this] { return stopping_ || !calls_.empty(); });
      if (stopping_) {
        return;
      }
      auto call = std::move(calls_.front());
      calls_.pop_front();
      lock.unlock();
      call();
      lock.lock();
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> calls_;
  bool stopping_ = false;
  std::thread thread_;
};

AdminApi::AdminApi(std::shared_ptr<MockRuntime> runtime, AdminAccess access, AdminThread thread)
    : runtime_(std::move(runtime)), access_(std::move(access)) {
  if (access_.token) {
    token_digest_ = key_digest(*access_.token);
    access_.token.reset(); // only its digest is kept
  }
  if (thread == AdminThread::own && access_.enabled) {
    worker_ = std::make_unique<Worker>();
  }
}

AdminApi::~AdminApi() = default;

bool AdminApi::journals(std::string_view path) const {
  return !access_.enabled || !is_admin_path(path);
}

HttpResponse AdminApi::respond(Outcome outcome) const {
  return runtime_->handler()->respond(outcome);
}

HttpResponse AdminApi::refuse(Refusal refusal) const {
  return runtime_->handler()->refuse(refusal);
}

HandledRequest AdminApi::handle(const HttpRequest &request) const {
  FactsNote note;
  HttpResponse response = answer(request, &note);
  return {std::move(response), std::move(note.facts)};
}

void AdminApi::Recorder::delivered(const Delivery &delivery) {
  const RequestFacts *facts = facts_of(delivery.note);
  if (facts != nullptr ? !facts->journaled : !api_.journals(delivery.path)) {
    return;
  }
  JournalRecord record;
  record.method = delivery.method;
  record.path = delivery.path;
  record.status = delivery.status;
  if (facts != nullptr) {
    record.answer = facts->answer;
    record.key_hint = facts->key_hint;
    record.key_tag = facts->key_tag;
    if (facts->client_id) {
      record.client_id = *facts->client_id;
    }
    record.reason = facts->reason;
    if (facts->parts) {
      record.parts = &*facts->parts;
    }
  }
  if (delivery.request != nullptr && delivery.request->prefer) {
    record.prefer = *delivery.request->prefer;
  }
  record.fault = delivery.fault;
  record.duration = delivery.duration.value_or(std::chrono::microseconds(0));
  if (facts != nullptr) {
    record.delay = facts->delay;
  }
  record.time_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  api_.runtime_->journal().record(record);
}

HttpResponse AdminApi::answer(const HttpRequest &request, AnswerNote *note) const {
  if (!access_.enabled || !is_admin_path(request.path)) {
    const auto handler = runtime_->handler(); // once: the request ends on this set
    return handler->answer(request, note);
  }
  if (auto *noted = dynamic_cast<FactsNote *>(note)) {
    noted->facts = RequestFacts{};
    noted->facts.answer = "admin";
    noted->facts.journaled = false;
  }
  HandledRequest handled; // its facts are the note's
  if (auto refused = refuse_access(request)) {
    handled.response = std::move(*refused);
  } else if (request.body_too_large) {
    handled.response = respond(Outcome::payload_too_large);
  } else if (worker_) {
    auto deferred = std::make_shared<DeferredAnswer>();
    HttpRequest call = request;
    call.authorization.reset(); // checked; not kept longer than needed
    worker_->post([this, call = std::move(call), deferred] {
      try {
        deferred->give(answer_admin(call));
      } catch (const std::exception &) {
        // As the engine answers a request whose handler threw.
        deferred->give(error(500, "Internal mock error"));
      }
    });
    handled.response.deferred = std::move(deferred);
  } else {
    handled.response = answer_admin(request);
  }
  return std::move(handled.response);
}

std::shared_ptr<BodySink> AdminApi::open_body(const HttpRequest &head) const {
  // The login path is never guarded (the loader refuses it in gate.json): a login does
  // not pay for loading the set in use twice.
  if (head.path == authenticate_path || (access_.enabled && is_admin_path(head.path))) {
    return nullptr;
  }
  return runtime_->handler()->open_body(head);
}

std::optional<HttpResponse> AdminApi::refuse_access(const HttpRequest &request) const {
  if (token_digest_ && request.method == "GET" && is_page_path(request.path)) {
    return std::nullopt; // the page, not its data: see admin_api.hpp
  }
  if (token_digest_) {
    static constexpr std::string_view scheme = "Bearer ";
    const std::string &header = request.authorization.value_or(std::string());
    bool granted = false;
    if (header.size() > scheme.size() && equals_ignoring_case(header.substr(0, 6), "Bearer") &&
        header[6] == ' ') {
      const KeyDigest given = key_digest(std::string_view(header).substr(scheme.size()));
      granted = CRYPTO_memcmp(given.data(), token_digest_->data(), given.size()) == 0;
    }
    if (!granted) {
      auto response = error(401, "this admin API wants \"Authorization: Bearer TOKEN\" with the "
                                 "token the mock was started with");
      response.headers.emplace_back("WWW-Authenticate", "Bearer");
      return response;
    }
    return std::nullopt;
  }
  if (!access_.loopback_host) {
    return error(403, "the admin API is closed on a non-loopback host without a token: start "
                      "the mock with --admin-token-file FILE or INSPEKT_ADMIN_TOKEN set (or "
                      "--admin-token TOKEN), and send \"Authorization: Bearer TOKEN\"");
  }
  // Open on loopback, it is open to this machine's programs, not to the web pages its
  // browser shows: a page from another site names its own host in Host once its name
  // resolves to 127.0.0.1 (DNS rebinding), and its own Origin on a cross-site POST,
  // which a text/plain body sends without asking (the Fetch standard's CORS-safelisted
  // request). A program that sends neither header is let through.
  if (request.host && !is_loopback_host(host_name(*request.host))) {
    return error(403, "the admin API without a token answers only a loopback Host "
                      "(localhost, 127.0.0.1, [::1]); for another name start the mock with "
                      "--admin-token-file FILE and send \"Authorization: Bearer TOKEN\"");
  }
  if (request.origin && !is_loopback_host(host_name(*request.origin))) {
    return error(403, "the admin API without a token answers no request from a web page of "
                      "another origin (Origin is not a loopback origin)");
  }
  return std::nullopt;
}

// Every endpoint: method and path to the member that answers it. 404, 405 and its
// Allow header come from this table, and an endpoint that reads a body gets it parsed.
const std::array<AdminApi::Route, 15> AdminApi::routes{{
    {"GET", "/__admin", Body::none, &AdminApi::to_page},
    {"GET", "/__admin/", Body::none, &AdminApi::page},
    {"GET", "/__admin/ui", Body::none, &AdminApi::page},
    {"GET", "/__admin/health", Body::none, &AdminApi::health},
    {"GET", "/__admin/keys", Body::none, &AdminApi::list_keys},
    {"GET", "/__admin/requests", Body::none, &AdminApi::list_requests},
    {"DELETE", "/__admin/requests", Body::none, &AdminApi::clear_requests},
    {"POST", "/__admin/requests/count", Body::json, &AdminApi::count_requests},
    {"POST", "/__admin/keys", Body::json, &AdminApi::add_key},
    {"POST", "/__admin/keys/revoke", Body::json, &AdminApi::revoke_key},
    {"POST", "/__admin/tokens/revoke", Body::json, &AdminApi::revoke_tokens},
    {"GET", "/__admin/clock", Body::none, &AdminApi::get_clock},
    {"POST", "/__admin/clock", Body::json, &AdminApi::set_clock},
    {"POST", "/__admin/reset", Body::none, &AdminApi::reset},
    {"POST", "/__admin/fixtures/reload", Body::none, &AdminApi::reload},
}};

HttpResponse AdminApi::answer_admin(const HttpRequest &request) const {
  const std::string &path = request.path;
  const std::string &method = request.method;
  const Route *route = nullptr;
  std::string allows; // the methods of `path`, in the table's order
  for (const auto &row : routes) {
    if (row.path == path) {
      allows += (allows.empty() ? "" : ", ") + std::string(row.method);
      route = row.method == method ? &row : route;
    }
  }
  if (allows.empty()) {
    const std::string shown = path.size() <= 128 ? path : path.substr(0, 128) + "...";
    return error(404, "no admin endpoint: " + method + " " + shown);
  }
  if (route == nullptr) {
    auto response =
        error(405, method + " is not allowed on " + path + " (allowed: " + allows + ")");
    response.headers.emplace_back("Allow", allows);
    return response;
  }
  if (path != "/__admin/requests" && path != "/__admin/keys" && !request.query.empty()) {
    if (auto reading = read_query(request.query, {}); reading.problem) {
      return std::move(*reading.problem);
    }
  }
  if (route->body == Body::none) {
    return (this->*route->answer)(request, json::object());
  }
  Parsed body = parse_body(request.body);
  if (body.problem) {
    return std::move(*body.problem);
  }
  return (this->*route->answer)(request, body.value);
}

HttpResponse AdminApi::to_page(const HttpRequest &, const json &) const {
  auto response = json_answer(308, json{{"message", "the dashboard is at /__admin/"}});
  response.headers.emplace_back("Location", "/__admin/");
  return response;
}

HttpResponse AdminApi::page(const HttpRequest &, const json &) const {
  const DashboardPage &dashboard = dashboard_page();
  HttpResponse response;
  response.status = 200;
  response.headers = {{"Content-Type", "text/html; charset=utf-8"},
                      {"Content-Security-Policy", dashboard.content_security_policy},
                      {"X-Content-Type-Options", "nosniff"},
                      {"Referrer-Policy", "no-referrer"},
                      {"Cache-Control", "no-cache"}};
  response.body = std::string(dashboard.html);
  return response;
}

HttpResponse AdminApi::list_keys(const HttpRequest &request, const json &) const {
  std::optional<std::size_t> offset;
  std::optional<std::size_t> limit;
  std::optional<KeySource> source;
  auto reading = read_query(request.query, {"source", "offset", "limit"});
  if (reading.problem) {
    return std::move(*reading.problem);
  }
  for (const auto &[name, value] : reading.pairs) {
    if (name == "source") {
      source.reset();
      for (const KeySource each :
           {KeySource::fixtures, KeySource::runtime, KeySource::revocation}) {
        source = value == to_string(each) ? std::optional<KeySource>(each) : source;
      }
      if (!source) {
        return error(400, "source must be fixtures, runtime or revocation", "source");
      }
    } else if (auto problem = read_count(name, value, "", name == "offset" ? offset : limit)) {
      return std::move(*problem);
    }
  }
  const std::size_t wanted = std::min(limit.value_or(max_listed_keys), max_listed_keys);
  const KeyListing listing = runtime_->keys();
  const AuthHandler &set = *listing.set;
  const auto &keys = set.fixtures().keys;
  const auto now = set.clock().now_ms();
  json listed = json::array();
  std::size_t matching = 0; // keys of the source asked for (all without one)
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (source && listing.sources[i] != *source) {
      continue;
    }
    if (matching++ < offset.value_or(0) || listed.size() >= wanted) {
      continue;
    }
    const ApiKeyEntry &entry = keys[i];
    json key{{"key_hint", key_hint(entry.key)},
             {"label", entry.label},
             {"answer", set.fixtures().name_of(entry.answer)},
             {"status", set.fixtures().answers[entry.answer].response.status},
             {"source", std::string(to_string(listing.sources[i]))},
             {"revoked", static_cast<bool>(listing.revoked[i])},
             {"delay_ms", entry.delay.count()},
             {"fault", entry.fault ? json(std::string(to_string(*entry.fault))) : json(nullptr)},
             {"token_lifetime_seconds",
              entry.token_lifetime ? json(entry.token_lifetime->count()) : json(nullptr)}};
    if (entry.quota) {
      key["quota"] =
          json{{"limit", entry.quota->limit},
               {"window_seconds", entry.quota->window.count()},
               {"in_use", set.quotas().in_use(key_digest(entry.key), *entry.quota, now)}};
    } else {
      key["quota"] = nullptr;
    }
    if (entry.chaos) {
      json chaos{{"probability", entry.chaos->probability}};
      if (entry.chaos->answer) {
        chaos["answer"] = set.fixtures().name_of(*entry.chaos->answer);
      }
      if (entry.chaos->fault) {
        chaos["fault"] = std::string(to_string(*entry.chaos->fault));
      }
      key["chaos"] = std::move(chaos);
    } else {
      key["chaos"] = nullptr;
    }
    listed.push_back(std::move(key));
  }
  return json_answer(200, json{{"keys", std::move(listed)}, {"total", matching}});
}

HttpResponse AdminApi::health(const HttpRequest &, const json &) const {
  const auto handler = runtime_->handler();
  const auto uptime = std::chrono::duration_cast<std::chrono::seconds>(
      std::chrono::steady_clock::now() - runtime_->started());
  return json_answer(200, json{{"status", "ok"},
                               {"version", std::string(inspekt::version())},
                               {"uptime_seconds", uptime.count()},
                               {"keys", handler->fixtures().keys.size()},
                               {"fixtures", handler->fixtures().origin}});
}

HttpResponse AdminApi::list_requests(const HttpRequest &request, const json &) const {
  std::optional<std::size_t> limit;
  std::optional<std::size_t> since;
  auto reading = read_query(request.query, {"limit", "since"});
  if (reading.problem) {
    return std::move(*reading.problem);
  }
  for (const auto &[name, value] : reading.pairs) {
    auto problem = name == "limit" ? read_count(name, value, "", limit)
                                   : read_count(name, value, " (an entry's id)", since);
    if (problem) {
      return std::move(*problem);
    }
  }
  const Journal &journal = runtime_->journal();
  const auto page = since ? journal.since(*since, limit) : journal.newest(limit);
  json entries = json::array();
  for (const auto &entry : page.entries) {
    entries.push_back(entry_json(entry));
  }
  return json_answer(
      200,
      json{{"requests", std::move(entries)}, {"total", page.total}, {"dropped", page.dropped}});
}

HttpResponse AdminApi::clear_requests(const HttpRequest &, const json &) const {
  return json_answer(200, json{{"cleared", runtime_->journal().clear()}});
}

HttpResponse AdminApi::get_clock(const HttpRequest &, const json &) const {
  return json_answer(200, clock_json(runtime_->clock()));
}

HttpResponse AdminApi::reset(const HttpRequest &, const json &) const {
  runtime_->reset();
  return json_answer(200, json{{"reset", true}});
}

HttpResponse AdminApi::reload(const HttpRequest &, const json &) const {
  const auto reloaded = runtime_->reload();
  if (!reloaded) {
    return json_answer(reloaded.refusal.status, refusal_json(reloaded.refusal));
  }
  return json_answer(200, json{{"reloaded", true},
                               {"fixtures", reloaded.value->origin},
                               {"keys", reloaded.value->keys},
                               {"load_ms", reloaded.value->load_ms},
                               {"swap_ms", reloaded.value->swap_ms}});
}

HttpResponse AdminApi::count_requests(const HttpRequest &, const json &fields) const {
  if (auto problem = unknown_field(fields, {"method", "status", "answer", "client_id", "key_hint",
                                            "key", "path", "reason"})) {
    return std::move(*problem);
  }
  const Journal &journal = runtime_->journal();
  if (!journal.holds_entries()) {
    return error(409, "the journal is off (--journal-size 0)");
  }
  JournalFilter filter;
  for (const auto &[name, value] : fields.items()) {
    if (name == "status") {
      if (!value.is_number_integer()) {
        return error(400, "status must be an integer", "status");
      }
      filter.status =
          static_cast<int>(std::clamp<std::int64_t>(value.get<std::int64_t>(), -1, 65536));
      continue;
    }
    if (!value.is_string()) {
      return error(400, name + " must be a string", name);
    }
    std::string text = value.get<std::string>();
    if (name == "method") {
      filter.method = std::move(text);
    } else if (name == "answer") {
      filter.answer = std::move(text);
    } else if (name == "client_id") {
      filter.client_id = std::move(text);
    } else if (name == "key_hint") {
      // At most 4 characters of a key reach the journal (and "..." after them): a
      // longer hint matches nothing, and is most likely a whole key meant for "key".
      const std::size_t bare = text.size() >= 3 && text.compare(text.size() - 3, 3, "...") == 0
                                   ? text.size() - 3
                                   : text.size();
      if (bare > 4) {
        return error(400,
                     "key_hint is longer than a hint (at most 4 characters, as the journal "
                     "shows them); to count a whole key, give \"key\"",
                     "key_hint");
      }
      filter.key_hint = std::move(text);
    } else if (name == "key") {
      if (text.empty()) {
        return error(400, "key must not be empty", "key");
      }
      filter.key_tag = key_tag(key_digest(text));
    } else if (name == "reason") {
      const auto known = std::find_if(reason_names.begin(), reason_names.end(),
                                      [&text](const auto &r) { return r.name == text; });
      if (known == reason_names.end()) {
        std::string list;
        for (const auto &r : reason_names) {
          list += (list.empty() ? "" : ", ") + std::string(r.name);
        }
        return error(400, "reason: not one of " + list, "reason");
      }
      filter.reason = known->reason;
    } else {
      filter.path = std::move(text);
    }
  }
  return json_answer(200, json{{"count", journal.count(filter)}});
}

HttpResponse AdminApi::add_key(const HttpRequest &, const json &fields) const {
  const auto added = runtime_->add_key(fields);
  if (!added) {
    return json_answer(added.refusal.status, refusal_json(added.refusal));
  }
  return json_answer(201, json{{"key_hint", added.value->key_hint},
                               {"answer", added.value->answer},
                               {"keys", added.value->keys}});
}

HttpResponse AdminApi::revoke_key(const HttpRequest &, const json &fields) const {
  if (auto problem = unknown_field(fields, {"key"})) {
    return std::move(*problem);
  }
  const auto key = fields.find("key");
  if (key == fields.end() || !key->is_string() || key->get_ref<const std::string &>().empty()) {
    return error(400, "key must be a non-empty string", "key");
  }
  const auto revoked = runtime_->revoke(key->get<std::string>());
  if (!revoked) {
    return json_answer(revoked.refusal.status, refusal_json(revoked.refusal));
  }
  return json_answer(200,
                     json{{"revoked", revoked.value->key_hint}, {"known", revoked.value->known}});
}

HttpResponse AdminApi::revoke_tokens(const HttpRequest &, const json &fields) const {
  if (auto problem = unknown_field(fields, {"session"})) {
    return std::move(*problem);
  }
  const auto session = fields.find("session");
  if (session == fields.end() || !session->is_string() ||
      session->get_ref<const std::string &>().empty()) {
    return error(400, "session must be a non-empty string", "session");
  }
  const auto &name = session->get_ref<const std::string &>();
  switch (runtime_->revoke_session(name)) {
  case TokenRevocations::Revoked::now:
    return json_answer(200, json{{"session", name}, {"already", false}});
  case TokenRevocations::Revoked::already:
    return json_answer(200, json{{"session", name}, {"already", true}});
  case TokenRevocations::Revoked::full:
    break;
  }
  return error(409,
               "no more sessions can be revoked until a reset (the mock holds at most " +
                   std::to_string(TokenRevocations::default_max_revoked_sessions) + ")",
               "session");
}

HttpResponse AdminApi::set_clock(const HttpRequest &, const json &fields) const {
  if (auto problem = unknown_field(fields, {"now", "advance_seconds"})) {
    return std::move(*problem);
  }
  const bool has_now = fields.contains("now");
  const bool has_advance = fields.contains("advance_seconds");
  if (has_now == has_advance) {
    return error(400, "give exactly one of now (Unix seconds) and advance_seconds",
                 has_now ? "advance_seconds" : "now");
  }
  Clock &clock = runtime_->clock();
  std::int64_t value = 0;
  if (has_now) {
    if (auto problem = read_whole(fields, "now", max_clock_seconds, value)) {
      return std::move(*problem);
    }
    clock.set(value);
  } else {
    if (auto problem = read_whole(fields, "advance_seconds", max_advance_seconds, value)) {
      return std::move(*problem);
    }
    if (value > max_clock_seconds - clock.now()) {
      return error(400,
                   "advance_seconds would move the clock past the year 9999 (now " +
                       std::to_string(clock.now()) + ", at most " +
                       std::to_string(max_clock_seconds) + ")",
                   "advance_seconds");
    }
    clock.advance(std::chrono::seconds(value));
  }
  return json_answer(200, clock_json(clock));
}

} // namespace inspekt::mock
