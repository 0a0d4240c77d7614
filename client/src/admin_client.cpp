#include "inspekt/client/admin_client.hpp"

#include "inspekt/core/secrets.hpp"

#include <utility>

namespace inspekt {
namespace {

using nlohmann::json;

AdminError protocol_error(int status, std::string message, std::string field = {}) {
  return AdminError{AdminErrorKind::protocol, status, std::move(message), std::move(field), {}};
}

std::string string_member(const json &object, const char *name) {
  const auto found = object.find(name);
  return found != object.end() && found->is_string() ? found->get<std::string>() : std::string();
}

// The answer to one call: its JSON object on the documented status; the mock's
// {"message", "field", "id"} on an error status.
AdminResult<json> decode_answer(const Exchange &exchange, const std::string &call, int expected) {
  const json body = json::parse(exchange.body, nullptr, false);
  if (exchange.status == expected) {
    if (!body.is_object()) {
      return {std::nullopt, protocol_error(exchange.status, "[admin.not-json] the answer to " +
                                                                call + " is not a JSON object")};
    }
    return {body, std::nullopt};
  }
  if (exchange.status >= 400) {
    AdminError error{AdminErrorKind::refused, exchange.status, {}, {}, {}};
    if (body.is_object()) {
      error.message = string_member(body, "message");
      error.field = string_member(body, "field");
      error.id = string_member(body, "id");
    }
    if (error.message.empty()) {
      error.message = call + " answered " + std::to_string(exchange.status) +
                      " without a JSON message: " + exchange.body.substr(0, 120);
    }
    return {std::nullopt, std::move(error)};
  }
  return {std::nullopt,
          protocol_error(exchange.status, call + " answered " + std::to_string(exchange.status) +
                                              ", expected " + std::to_string(expected))};
}

// Reads the members of one answer object, keeping the first problem: a member missing
// or of another type is a protocol error naming it.
class Fields {
public:
  Fields(const json &object, std::string where, int status)
      : object_(object), where_(std::move(where)), status_(status) {}

  std::string text(const char *name) {
    const json *value = find(name, "a string", &json::is_string);
    return value != nullptr ? value->get<std::string>() : std::string();
  }
  std::optional<std::string> text_or_null(const char *name) {
    const auto found = object_.find(name);
    if (found != object_.end() && found->is_null()) {
      return std::nullopt;
    }
    const json *value = find(name, "a string or null", &json::is_string);
    return value != nullptr ? std::optional<std::string>(value->get<std::string>()) : std::nullopt;
  }
  std::int64_t integer(const char *name) {
    const json *value = find(name, "an integer", &json::is_number_integer);
    return value != nullptr ? value->get<std::int64_t>() : 0;
  }
  std::uint64_t count(const char *name) {
    const json *value = find(name, "a non-negative integer", &json::is_number_unsigned);
    return value != nullptr ? value->get<std::uint64_t>() : 0;
  }
  double number(const char *name) {
    const json *value = find(name, "a number", &json::is_number);
    return value != nullptr ? value->get<double>() : 0;
  }
  bool boolean(const char *name) {
    const json *value = find(name, "true or false", &json::is_boolean);
    return value != nullptr && value->get<bool>();
  }
  const json &array(const char *name) {
    static const json empty = json::array();
    const json *value = find(name, "an array", &json::is_array);
    return value != nullptr ? *value : empty;
  }

  Fields nested(const json &object, const std::string &where) {
    Fields inner(object, where_ + ": " + where, status_);
    if (!object.is_object() && !problem_) {
      problem_ = protocol_error(status_, "[admin.field-type] " + where_ + ": " + where +
                                             " is not an object");
    }
    return inner;
  }
  void absorb(const Fields &inner) {
    if (!problem_) {
      problem_ = inner.problem_;
    }
  }
  const std::optional<AdminError> &problem() const { return problem_; }

private:
  const json *find(const char *name, const char *wanted, bool (json::*is)() const noexcept) {
    const auto found = object_.is_object() ? object_.find(name) : object_.end();
    if (found != object_.end() && ((*found).*is)()) {
      return &*found;
    }
    if (!problem_) {
      const bool missing = found == object_.end();
      problem_ = protocol_error(
          status_,
          std::string(missing ? "[admin.field-missing] " : "[admin.field-type] ") + where_ +
              ": \"" + name + "\" " + (missing ? "is missing" : std::string("is not ") + wanted),
          name);
    }
    return nullptr;
  }

  const json &object_;
  std::string where_;
  int status_;
  std::optional<AdminError> problem_;
};

// A typed value from an answer: `decode` reads it through Fields.
template <typename T, typename Decode>
AdminResult<T> typed(AdminResult<json> answer, const std::string &where, int status,
                     Decode decode) {
  if (!answer) {
    return {std::nullopt, std::move(answer.error)};
  }
  Fields fields(*answer.value, where, status);
  T value = decode(fields);
  if (fields.problem()) {
    return {std::nullopt, fields.problem()};
  }
  return {std::move(value), std::nullopt};
}

JournalEntry journal_entry(Fields &entry) {
  JournalEntry out;
  out.id = entry.count("id");
  out.time = entry.text("time");
  out.method = entry.text("method");
  out.path = entry.text("path");
  out.status = static_cast<int>(entry.integer("status"));
  out.answer = entry.text_or_null("answer");
  out.key_hint = entry.text_or_null("key_hint");
  out.client_id = entry.text_or_null("client_id");
  out.duration_ms = entry.number("duration_ms");
  out.fault = entry.text_or_null("fault");
  out.prefer = entry.text_or_null("prefer");
  out.reason = entry.text_or_null("reason");
  return out;
}

ClockState clock_state(Fields &fields) {
  ClockState out;
  out.now = std::chrono::seconds(fields.integer("now"));
  out.now_ms = std::chrono::milliseconds(fields.integer("now_ms"));
  out.frozen = fields.boolean("frozen");
  return out;
}

// The admin URL form ("http://host:port/__admin") names the same mock as its base URL.
ClientOptions without_admin_suffix(ClientOptions http) {
  auto parsed = parse_base_url(http.base_url);
  if (parsed) {
    std::string &prefix = parsed.url->path_prefix;
    if (prefix.size() >= admin_path_prefix.size() &&
        prefix.compare(prefix.size() - admin_path_prefix.size(), std::string::npos,
                       admin_path_prefix) == 0) {
      prefix.resize(prefix.size() - admin_path_prefix.size());
      http.base_url = parsed.url->to_string();
    }
  }
  return http;
}

void scrub(std::optional<AdminError> &error, std::string_view secret) {
  if (error) {
    error->message = redacted(std::move(error->message), secret);
  }
}

} // namespace

std::string_view to_string(AdminErrorKind kind) {
  switch (kind) {
  case AdminErrorKind::refused:
    return "refused";
  case AdminErrorKind::transport:
    return "transport";
  case AdminErrorKind::protocol:
    return "protocol";
  }
  return "?";
}

std::ostream &operator<<(std::ostream &os, AdminErrorKind kind) {
  return os << to_string(kind);
}

std::ostream &operator<<(std::ostream &os, const AdminError &error) {
  os << error.kind;
  if (error.status) {
    os << " (" << *error.status;
    if (!error.field.empty()) {
      os << ", field " << error.field;
    }
    os << ")";
  }
  return os << ": " << error.message;
}

json RequestFilter::to_json() const {
  json out = json::object();
  const auto put = [&out](const char *name, const auto &value) {
    if (value) {
      out[name] = *value;
    }
  };
  put("method", method);
  put("status", status);
  put("answer", answer);
  put("client_id", client_id);
  put("key_hint", key_hint);
  put("path", path);
  return out;
}

AdminClient::AdminClient(AdminOptions options)
    : options_(std::move(options)), http_(without_admin_suffix(options_.http)) {
  if (!http_.valid()) {
    error_ =
        AdminError{AdminErrorKind::transport, std::nullopt, http_.error()->description, {}, {}};
  }
}

std::string AdminClient::admin_url() const {
  return http_.base_url().to_string() + std::string(admin_path_prefix);
}

AdminResult<json> AdminClient::call(std::string_view method, std::string_view path,
                                    const std::optional<json> &body, int expected_status) const {
  if (error_) {
    return {std::nullopt, error_};
  }
  RawRequest request;
  request.method = std::string(method);
  request.path = std::string(admin_path_prefix) + std::string(path);
  request.content_type = std::nullopt;
  const std::string call = request.method + " " + request.path;
  if (body) {
    try {
      request.body = body->dump();
    } catch (const json::type_error &) {
      return {std::nullopt, AdminError{AdminErrorKind::transport,
                                       std::nullopt,
                                       "[request.not-utf8] the body of " + call +
                                           " is not valid UTF-8; nothing was sent",
                                       {},
                                       {}}};
    }
    request.content_type = "application/json";
  } else if (method == "POST") {
    request.body = std::string(); // Content-Length: 0; the mock reads it as {}
  }
  if (!options_.token.empty()) {
    request.headers.emplace_back("Authorization", "Bearer " + options_.token);
  }
  auto sent = http_.send(request);
  AdminResult<json> result;
  if (!sent) {
    result.error = AdminError{
        AdminErrorKind::transport, std::nullopt, std::move(sent.error->description), {}, {}};
  } else {
    result = decode_answer(*sent.exchange, call, expected_status);
  }
  scrub(result.error, options_.token);
  return result;
}

AdminResult<Health> AdminClient::health() const {
  return typed<Health>(call("GET", "/health"), "GET /__admin/health", 200, [](Fields &f) {
    return Health{f.text("status"), f.text("version"), f.integer("uptime_seconds"),
                  f.integer("keys"), f.text("fixtures")};
  });
}

AdminResult<Journal> AdminClient::requests(std::optional<std::uint64_t> limit) const {
  const std::string path = limit ? "/requests?limit=" + std::to_string(*limit) : "/requests";
  return typed<Journal>(call("GET", path), "GET /__admin" + path, 200, [](Fields &f) {
    Journal out;
    const json &entries = f.array("requests");
    for (std::size_t i = 0; i < entries.size(); ++i) {
      Fields entry = f.nested(entries[i], "requests[" + std::to_string(i) + "]");
      out.requests.push_back(journal_entry(entry));
      f.absorb(entry);
    }
    out.total = f.count("total");
    out.dropped = f.count("dropped");
    return out;
  });
}

AdminResult<std::uint64_t> AdminClient::count(const RequestFilter &filter) const {
  return typed<std::uint64_t>(call("POST", "/requests/count", filter.to_json()),
                              "POST /__admin/requests/count", 200,
                              [](Fields &f) { return f.count("count"); });
}

AdminResult<std::uint64_t> AdminClient::clear_requests() const {
  return typed<std::uint64_t>(call("DELETE", "/requests"), "DELETE /__admin/requests", 200,
                              [](Fields &f) { return f.count("cleared"); });
}

AdminResult<AddedKey> AdminClient::add_key(const json &entry) const {
  auto answer = call("POST", "/keys", entry, 201);
  if (entry.is_object() && entry.contains("key") && entry["key"].is_string()) {
    scrub(answer.error, entry["key"].get<std::string>());
  }
  return typed<AddedKey>(std::move(answer), "POST /__admin/keys", 201, [](Fields &f) {
    return AddedKey{f.text("key_hint"), f.text("answer"), f.integer("keys")};
  });
}

AdminResult<RevokedKey> AdminClient::revoke(std::string_view key) const {
  auto answer = call("POST", "/keys/revoke", json{{"key", std::string(key)}});
  scrub(answer.error, key);
  return typed<RevokedKey>(std::move(answer), "POST /__admin/keys/revoke", 200, [](Fields &f) {
    return RevokedKey{f.text("revoked"), f.boolean("known")};
  });
}

AdminResult<ClockState> AdminClient::clock() const {
  return typed<ClockState>(call("GET", "/clock"), "GET /__admin/clock", 200, clock_state);
}

AdminResult<ClockState> AdminClient::set_clock(std::chrono::seconds since_epoch) const {
  return typed<ClockState>(call("POST", "/clock", json{{"now", since_epoch.count()}}),
                           "POST /__admin/clock", 200, clock_state);
}

AdminResult<ClockState> AdminClient::advance_clock(std::chrono::seconds by) const {
  return typed<ClockState>(call("POST", "/clock", json{{"advance_seconds", by.count()}}),
                           "POST /__admin/clock", 200, clock_state);
}

AdminResult<bool> AdminClient::reset() const {
  return typed<bool>(call("POST", "/reset"), "POST /__admin/reset", 200,
                     [](Fields &f) { return f.boolean("reset"); });
}

AdminResult<Reloaded> AdminClient::reload() const {
  return typed<Reloaded>(call("POST", "/fixtures/reload"), "POST /__admin/fixtures/reload", 200,
                         [](Fields &f) {
                           return Reloaded{f.text("fixtures"), f.integer("keys"),
                                           f.number("load_ms"), f.number("swap_ms")};
                         });
}

} // namespace inspekt
