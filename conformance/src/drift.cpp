#include "drift.hpp"

#include "key_kinds.hpp"
#include "session_shape.hpp"

#include "inspekt/core/jwt.hpp"
#include "inspekt/mock/engine/mock_server.hpp"
#include "inspekt/mock/fixtures/fixture_error.hpp"
#include "inspekt/mock/fixtures/fixture_patch.hpp"
#include "inspekt/mock/handler/auth_handler.hpp"

#include <algorithm>
#include <cctype>
#include <iomanip>
#include <map>
#include <optional>
#include <set>

namespace inspekt::conformance {
namespace {

// The answer the fixtures give the valid key: the logins whose tokens and sessions are
// compared.
const std::string &login_answer() {
  return *valid_key_kind().fixture_answer;
}

using nlohmann::json;

// What one side showed for one aspect: `shown` goes into reports, `key` is compared and
// may hold more (a message that is not prose); it never leaves this file.
struct Seen {
  std::string shown;
  std::string key;
  json fragment; // the patch that makes the fixtures answer so; null when none
};

struct Pair {
  std::string request;
  Seen fixtures;
  std::optional<Seen> target;
};

constexpr const char *not_stored = "(not stored)";

std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// Fields whose text is the service's public message, shown and kept; any other string
// is kept as its type only.
bool is_message_field(const std::string &name) {
  static const std::set<std::string> names{
      "message", "error",       "detail", "details",           "title",
      "msg",     "description", "reason", "error_description", "error_message"};
  return names.count(lowercase(name)) > 0;
}

// Text that reads as a message, not as an id: short, no long digit runs, no address.
bool is_prose(const std::string &text) {
  if (text.size() > 200 || text.find('@') != std::string::npos) {
    return false;
  }
  int digits = 0;
  for (const char c : text) {
    digits = std::isdigit(static_cast<unsigned char>(c)) ? digits + 1 : 0;
    if (digits >= 5) {
      return false;
    }
  }
  return text.find(' ') != std::string::npos || text.size() <= 24;
}

// Claims whose values name a kind of token or the service, never a person.
bool is_public_claim(const std::string &name) {
  static const std::set<std::string> names{"iss",  "token_type", "typ",
                                           "type", "token_use",  "scope"};
  return names.count(name) > 0;
}

// The claims the mock sets itself (fixtures/README.md, tokens.json).
bool is_mock_claim(const std::string &name) {
  static const std::set<std::string> names{"iss", "sub", "iat", "nbf",
                                           "exp", "sid", "jti", "token_type"};
  return names.count(name) > 0;
}

// Headers of the HTTP layer, not of the answer.
bool is_transport_header(const std::string &name) {
  static const std::set<std::string> names{"content-length", "transfer-encoding", "connection",
                                           "keep-alive", "date"};
  return names.count(lowercase(name)) > 0;
}

// Headers whose values are protocol facts, shown and kept; of any other header only
// its presence is (a cookie or a request id is nobody's business here).
bool is_telling_header(const std::string &name) {
  static const std::set<std::string> names{"allow",
                                           "retry-after",
                                           "cache-control",
                                           "pragma",
                                           "vary",
                                           "www-authenticate",
                                           "access-control-allow-origin",
                                           "access-control-allow-methods",
                                           "access-control-allow-headers",
                                           "access-control-allow-credentials",
                                           "x-content-type-options",
                                           "x-frame-options",
                                           "strict-transport-security",
                                           "referrer-policy",
                                           "content-security-policy",
                                           "server",
                                           "x-powered-by"};
  return names.count(lowercase(name)) > 0;
}

json at_path(std::initializer_list<std::string> path, json value) {
  json out = std::move(value);
  for (auto it = std::rbegin(path); it != std::rend(path); ++it) {
    out = json{{*it, out}};
  }
  return out;
}

std::string shape_of(const json &value) {
  if (value.is_object()) {
    std::string out;
    for (const auto &[name, member] : value.items()) {
      out += (out.empty() ? "" : ",") + name + ":" + shape_of(member);
    }
    return "{" + out + "}";
  }
  if (value.is_array()) {
    return "array";
  }
  return value.type_name();
}

// The value a member gets in the patch: the message text when it is one, the
// template's placeholder where the fixtures have one, else a value of the same type.
json rebuild(const json &target, const json &templ, const std::string &name, int status,
             const std::function<std::string(std::string)> &redact) {
  if (target.is_object()) {
    json out = json::object();
    for (const auto &[member, value] : target.items()) {
      const json sub = templ.is_object() && templ.contains(member) ? templ[member] : json();
      const json rebuilt = rebuild(value, sub, member, status, redact);
      if (!rebuilt.is_null()) {
        out[member] = rebuilt;
      }
    }
    return out;
  }
  const bool placeholder = templ.is_string() && templ.get<std::string>().rfind("{{", 0) == 0;
  if (target.is_string()) {
    if (placeholder) {
      return templ;
    }
    const auto &text = target.get_ref<const std::string &>();
    return is_message_field(name) && is_prose(text) ? json(redact(text)) : json(not_stored);
  }
  if (target.is_null()) {
    return placeholder ? templ : json(); // a null member cannot be written in a merge patch
  }
  if (target.is_number()) {
    return target.is_number_integer() && target.get<std::int64_t>() == status ? json(status)
                                                                              : json(0);
  }
  if (target.is_array()) {
    return json::array();
  }
  return target; // a boolean
}

void message_leaves(const json &value, const std::string &path,
                    std::map<std::string, std::string> &out) {
  if (!value.is_object()) {
    return;
  }
  for (const auto &[name, member] : value.items()) {
    const std::string here = path + "." + name;
    if (member.is_string() && is_message_field(name)) {
      out[here] = member.get<std::string>();
    }
    message_leaves(member, here, out);
  }
}

// The token of one kind (access_token, refresh_token) an answer's body carries, decoded.
std::optional<DecodedJwt> token_in(const Exchange &e, const std::string &name) {
  const json body = json::parse(e.body, nullptr, false);
  if (!body.is_object() || !body.contains(name) || !body[name].is_string()) {
    return std::nullopt;
  }
  auto result = decode_jwt(body[name].get<std::string>());
  return result.jwt;
}

Seen no_token(const Exchange &e, const std::string &name) {
  return Seen{"no " + name + " (status " + std::to_string(e.status) + ")", "none", json()};
}

// The token's "alg"; the fragment sets the fixtures' algorithm when they can sign so.
Seen token_alg(const std::string &name, const Exchange &e) {
  const auto jwt = token_in(e, name);
  if (!jwt) {
    return no_token(e, name);
  }
  const std::string alg = jwt->header.value("alg", json("")).is_string()
                              ? jwt->header.value("alg", std::string())
                              : jwt->header["alg"].dump();
  const bool expressible = parse_jwt_algorithm(alg).has_value();
  return Seen{alg, alg, expressible ? at_path({"tokens.json", "algorithm"}, json(alg)) : json()};
}

// exp - iat in whole seconds, which the fixtures' lifetime_seconds sets.
Seen token_lifetime(const std::string &name, const Exchange &e) {
  const auto jwt = token_in(e, name);
  if (!jwt) {
    return no_token(e, name);
  }
  const json &claims = jwt->claims;
  if (!claims.contains("exp") || !claims.contains("iat")) {
    return Seen{"no exp or iat", "none", json()};
  }
  if (!claims["exp"].is_number() || !claims["iat"].is_number()) {
    return Seen{"exp or iat not a number", "types", json()};
  }
  const double seconds = claims["exp"].get<double>() - claims["iat"].get<double>();
  const auto whole = static_cast<std::int64_t>(seconds);
  const std::string shown = std::to_string(whole) + " s";
  return Seen{shown, shown, at_path({"tokens.json", name, "lifetime_seconds"}, json(whole))};
}

class Comparison {
public:
  explicit Comparison(const DriftInput &input) : input_(input) {
    responses_ = input.fixture_files.value("responses.json", json::object());
    tokens_ = input.fixture_files.value("tokens.json", json::object());
  }

  DriftReport run() {
    std::vector<std::string> answers;
    for (const auto &sample : input_.samples) {
      if (std::find(answers.begin(), answers.end(), sample.answer) == answers.end()) {
        answers.push_back(sample.answer);
      }
    }
    for (const auto &answer : answers) {
      compare_answer(answer);
    }
    compare_tokens();
    compare_session();
    for (const auto &row : report_.rows) {
      if (row.verdict == DriftVerdict::drift) {
        merge_fragment(report_.patch, row.fragment);
      }
    }
    return std::move(report_);
  }

private:
  std::string redact(std::string text) const { return input_.redact(std::move(text)); }

  std::vector<const DriftSample *> samples_of(const std::string &answer, bool with_body) const {
    std::vector<const DriftSample *> out;
    for (const auto &sample : input_.samples) {
      if (sample.answer == answer && (!with_body || sample.method != "HEAD")) {
        out.push_back(&sample);
      }
    }
    return out;
  }

  // One row from per-request pairs: the same when every observed target value equals
  // the fixtures' for that request.
  void add_row(const std::string &aspect, const std::vector<Pair> &pairs) {
    DriftRow row;
    row.aspect = aspect;
    const auto column = [&pairs](auto pick) {
      std::vector<std::pair<std::string, std::vector<std::string>>> values;
      for (const auto &pair : pairs) {
        const Seen *seen = pick(pair);
        if (!seen) {
          continue;
        }
        auto it = std::find_if(values.begin(), values.end(),
                               [&](const auto &v) { return v.first == seen->shown; });
        if (it == values.end()) {
          values.push_back({seen->shown, {}});
          it = values.end() - 1;
        }
        it->second.push_back(pair.request);
      }
      if (values.size() == 1) {
        return values.front().first;
      }
      std::string out;
      for (const auto &[shown, requests] : values) {
        std::string names;
        for (const auto &r : requests) {
          names += (names.empty() ? "" : ", ") + r;
        }
        out += (out.empty() ? "" : "; ") + shown + " (" + names + ")";
      }
      return out;
    };
    row.fixtures = column([](const Pair &p) { return &p.fixtures; });
    row.target = column([](const Pair &p) { return p.target ? &*p.target : nullptr; });
    bool observed = false;
    bool any_same = false;
    bool same = true;
    std::optional<json> fragment;
    bool one_fragment = true;
    for (const auto &pair : pairs) {
      if (!pair.target) {
        continue;
      }
      observed = true;
      if (pair.target->key == pair.fixtures.key) {
        any_same = true;
        continue;
      }
      same = false;
      if (!fragment) {
        fragment = pair.target->fragment;
      } else if (*fragment != pair.target->fragment) {
        one_fragment = false;
      }
    }
    if (!observed) {
      row.target = "(not observed)";
      row.verdict = DriftVerdict::unobserved;
    } else if (same) {
      row.verdict = DriftVerdict::same;
    } else if (!any_same && one_fragment && fragment && !fragment->is_null()) {
      row.verdict = DriftVerdict::drift;
      row.fragment = *fragment;
    } else {
      // The target varies by request where the fixtures give one answer: a patch for
      // some requests would break the others.
      row.verdict = DriftVerdict::unpatchable;
    }
    report_.rows.push_back(std::move(row));
  }

  template <typename Extract>
  void add_answer_row(const std::string &aspect, const std::vector<const DriftSample *> &samples,
                      Extract extract) {
    std::vector<Pair> pairs;
    for (const DriftSample *sample : samples) {
      Pair pair{sample->request, extract(sample->fixtures, false), std::nullopt};
      if (!sample->target.empty()) {
        pair.target = extract(sample->target.front(), true);
      }
      pairs.push_back(std::move(pair));
    }
    add_row(aspect, pairs);
  }

  void compare_answer(const std::string &answer) {
    const json entry = responses_.value(answer, json::object());
    const auto patch = [&answer](json value) { return at_path({"responses.json", answer}, value); };
    const auto all = samples_of(answer, false);
    add_answer_row(answer + ": status", all, [&](const Exchange &e, bool) {
      const bool allowed = e.status >= 200 && e.status <= 599 && e.status != 204 && e.status != 304;
      return Seen{std::to_string(e.status), std::to_string(e.status),
                  allowed ? patch({{"status", e.status}}) : json()};
    });
    add_answer_row(answer + ": Content-Type", all, [&](const Exchange &e, bool is_target) {
      const std::string type = e.header("Content-Type");
      const std::string shown = type.empty() ? "(none)" : (is_target ? redact(type) : type);
      return Seen{shown, type,
                  type.empty() ? json() : patch({{"headers", {{"Content-Type", shown}}}})};
    });
    compare_headers(answer, entry, all);
    compare_body(answer, entry, samples_of(answer, true));
  }

  void compare_headers(const std::string &answer, const json &entry,
                       const std::vector<const DriftSample *> &samples) {
    std::vector<std::string> names; // in the first spelling seen
    const auto note = [&names](const Exchange &e) {
      for (const auto &header : e.headers) {
        const std::string &name = header.first;
        if (is_transport_header(name) || equals_ignoring_case(name, "Content-Type")) {
          continue;
        }
        if (std::none_of(names.begin(), names.end(),
                         [&](const std::string &n) { return equals_ignoring_case(n, name); })) {
          names.push_back(name);
        }
      }
    };
    for (const DriftSample *sample : samples) {
      note(sample->fixtures);
      if (!sample->target.empty()) {
        note(sample->target.front());
      }
    }
    const json fixture_headers = entry.value("headers", json::object());
    for (const auto &name : names) {
      // The patch must name the header as the fixture file spells it.
      std::string spelled = name;
      for (const auto &[fixture_name, value] : fixture_headers.items()) {
        if (equals_ignoring_case(fixture_name, name)) {
          spelled = fixture_name;
        }
      }
      const bool telling = is_telling_header(name);
      add_answer_row(answer + ": header " + name, samples, [&](const Exchange &e, bool is_target) {
        const auto it = e.headers.find(name);
        const json headers_patch =
            at_path({"responses.json", answer, "headers", spelled},
                    it == e.headers.end() ? json()
                    : telling             ? json(is_target ? redact(it->second) : it->second)
                                          : json("value not stored"));
        if (it == e.headers.end()) {
          return Seen{"(none)", "(none)", headers_patch};
        }
        if (!telling) {
          return Seen{"present (value not stored)", "present", headers_patch};
        }
        return Seen{is_target ? redact(it->second) : it->second, it->second, headers_patch};
      });
    }
  }

  // The body's shape and message texts; both rows share the fragment that rebuilds the
  // target's body in the fixtures.
  void compare_body(const std::string &answer, const json &entry,
                    const std::vector<const DriftSample *> &samples) {
    if (samples.empty()) {
      return;
    }
    const json templ = entry.value("body", json());
    const auto fragment = [&](const Exchange &e) -> json {
      const json body = json::parse(e.body, nullptr, false);
      json desired = entry;
      if (body.is_discarded()) {
        if (!is_prose(e.body)) {
          return json();
        }
        desired.erase("body");
        desired["raw_body"] = redact(e.body);
      } else {
        desired.erase("raw_body");
        desired["body"] = rebuild(body, templ, "", e.status, input_.redact);
      }
      return at_path({"responses.json", answer}, mock::merge_patch_between(entry, desired));
    };
    add_answer_row(answer + ": body", samples, [&](const Exchange &e, bool is_target) {
      const json body = json::parse(e.body, nullptr, false);
      std::string shown;
      if (!body.is_discarded()) {
        shown = shape_of(body);
      } else if (e.body.empty()) {
        shown = "empty";
      } else if (is_prose(e.body)) {
        shown = "not JSON: \"" + (is_target ? redact(e.body) : e.body) + "\"";
      } else {
        shown = "not JSON (" + std::to_string(e.body.size()) + " bytes, not shown)";
      }
      const std::string key = body.is_discarded() ? "raw:" + e.body : shape_of(body);
      return Seen{shown, key, is_target ? fragment(e) : json()};
    });
    std::set<std::string> paths;
    std::vector<std::map<std::string, std::string>> fixture_texts, target_texts;
    for (const DriftSample *sample : samples) {
      std::map<std::string, std::string> leaves;
      message_leaves(json::parse(sample->fixtures.body, nullptr, false), "body", leaves);
      for (const auto &[path, text] : leaves) {
        paths.insert(path);
      }
      if (!sample->target.empty()) {
        leaves.clear();
        message_leaves(json::parse(sample->target.front().body, nullptr, false), "body", leaves);
        for (const auto &[path, text] : leaves) {
          paths.insert(path);
        }
      }
    }
    for (const auto &path : paths) {
      add_answer_row(answer + ": " + path, samples, [&](const Exchange &e, bool is_target) {
        std::map<std::string, std::string> leaves;
        message_leaves(json::parse(e.body, nullptr, false), "body", leaves);
        const auto it = leaves.find(path);
        if (it == leaves.end()) {
          return Seen{"(none)", "", is_target ? fragment(e) : json()};
        }
        const std::string text = is_target ? redact(it->second) : it->second;
        return Seen{is_prose(text) ? "\"" + text + "\"" : "(a string that is not prose: not shown)",
                    "text:" + it->second, is_target ? fragment(e) : json()};
      });
    }
  }

  // Both tokens of every answer the fixtures give as a login.
  void compare_tokens() {
    const auto logins = samples_of(login_answer(), true);
    if (logins.empty()) {
      return;
    }
    for (const char *kind : {"access_token", "refresh_token"}) {
      compare_token(kind, logins);
    }
  }

  // One token's rows: its alg and header, its claims per login request, its lifetime, and
  // each claim that names a kind of token or the service.
  void compare_token(const std::string &name, const std::vector<const DriftSample *> &logins) {
    add_answer_row(name + ": alg", logins,
                   [&](const Exchange &e, bool) { return token_alg(name, e); });
    add_answer_row(name + ": header", logins, [&](const Exchange &e, bool) {
      const auto jwt = token_in(e, name);
      return jwt ? Seen{shape_of(jwt->header), shape_of(jwt->header), json()} : no_token(e, name);
    });
    // One row per login request: with and without client_id the claims differ (sub).
    std::set<std::string> requests;
    for (const DriftSample *login : logins) {
      if (requests.insert(login->request).second && login->target.size() <= 1) {
        add_answer_row(name + ": claims (" + login->request + ")", {login},
                       [&](const Exchange &e, bool) { return token_claims(name, e); });
      }
    }
    add_answer_row(name + ": lifetime (exp - iat)", logins,
                   [&](const Exchange &e, bool) { return token_lifetime(name, e); });
    for (const auto &claim : public_claims(name, logins)) {
      add_answer_row(name + ": claim " + claim, logins, [&](const Exchange &e, bool is_target) {
        return token_public_claim(name, claim, e, is_target);
      });
    }
  }

  // The token's claims by shape; the fragment writes the target's claims into the
  // fixtures, those that may hold a person's data as placeholders or types only.
  Seen token_claims(const std::string &name, const Exchange &e) const {
    const auto jwt = token_in(e, name);
    if (!jwt) {
      return no_token(e, name);
    }
    const json settings = tokens_.value(name, json::object());
    const json fixture_claims = settings.value("claims", json::object());
    json desired = json::object();
    for (const auto &[claim, value] : jwt->claims.items()) {
      if (is_mock_claim(claim)) {
        continue;
      }
      desired[claim] = is_public_claim(claim) ? value
                                              : rebuild(value, fixture_claims.value(claim, json()),
                                                        claim, 0, input_.redact);
      if (desired[claim].is_string() && desired[claim] == not_stored && value.is_string() &&
          fixture_claims.contains(claim) && fixture_claims[claim].is_string()) {
        desired[claim] = fixture_claims[claim]; // a string either way: keep the fixture's
      }
    }
    json fragment = at_path({"tokens.json", name, "claims"},
                            mock::merge_patch_between(fixture_claims, desired));
    if (!jwt->claims.contains("iss")) {
      merge_fragment(fragment, at_path({"tokens.json", "issuer"}, json("")));
    }
    const std::string shape = shape_of(jwt->claims);
    return Seen{shape, shape, fragment};
  }

  // The public claims either side's tokens of this kind carry.
  static std::set<std::string> public_claims(const std::string &name,
                                             const std::vector<const DriftSample *> &logins) {
    std::set<std::string> claims;
    for (const DriftSample *sample : logins) {
      for (const Exchange *e :
           {&sample->fixtures, sample->target.empty() ? static_cast<const Exchange *>(nullptr)
                                                      : &sample->target.front()}) {
        if (const auto jwt = e ? token_in(*e, name) : std::nullopt) {
          for (const auto &[claim, value] : jwt->claims.items()) {
            if (is_public_claim(claim)) {
              claims.insert(claim);
            }
          }
        }
      }
    }
    return claims;
  }

  Seen token_public_claim(const std::string &name, const std::string &claim, const Exchange &e,
                          bool is_target) const {
    const auto jwt = token_in(e, name);
    if (!jwt) {
      return no_token(e, name);
    }
    const json value = jwt->claims.value(claim, json());
    json where = claim == "iss"          ? at_path({"tokens.json", "issuer"}, json(""))
                 : claim == "token_type" ? json()
                                         : at_path({"tokens.json", name, "claims", claim}, json());
    if (value.is_null()) {
      return Seen{"(none)", "(none)", where};
    }
    const std::string text = value.is_string() ? value.get<std::string>() : value.dump();
    const std::string shown = is_target ? redact(text) : text;
    where = claim == "iss"          ? at_path({"tokens.json", "issuer"}, json(shown))
            : claim == "token_type" ? at_path({"tokens.json", name, "type"}, json(shown))
                                    : at_path({"tokens.json", name, "claims", claim}, value);
    return Seen{"\"" + shown + "\"", value.dump(), where};
  }

  void compare_session() {
    const auto logins = samples_of(login_answer(), true);
    const std::string format =
        input_.fixture_files.value("session.json", json::object()).value("format", std::string());
    std::vector<std::string> ids;
    for (const DriftSample *sample : logins) {
      for (const auto &e : sample->target) {
        const json body = json::parse(e.body, nullptr, false);
        if (body.is_object() && body.contains("session") && body["session"].is_string()) {
          ids.push_back(body["session"].get<std::string>());
        }
      }
    }
    DriftRow row{"session: shape", format, "", DriftVerdict::same, json()};
    if (logins.empty()) {
      return;
    }
    if (ids.empty()) {
      row.target = "(not observed)";
      row.verdict = DriftVerdict::unobserved;
      report_.rows.push_back(std::move(row));
      return;
    }
    const SessionShape shape = infer_session_shape(ids);
    row.target = shape.pattern.empty()
                     ? "(no shape common to the " + std::to_string(ids.size()) + " ids seen)"
                     : shape.pattern;
    bool matches = false;
    try {
      const auto parsed = mock::parse_session_id_format(format);
      matches = std::all_of(ids.begin(), ids.end(), [&](const std::string &id) {
        return matches_session_format(id, parsed);
      });
    } catch (const std::exception &) {
      matches = false;
    }
    if (matches) {
      row.verdict = DriftVerdict::same;
    } else if (!shape.pattern.empty() && shape.expressible) {
      row.verdict = DriftVerdict::drift;
      row.fragment = at_path({"session.json", "format"}, json(shape.pattern));
    } else {
      row.verdict = DriftVerdict::unpatchable;
    }
    report_.rows.push_back(std::move(row));
  }

  const DriftInput &input_;
  json responses_;
  json tokens_;
  DriftReport report_;
};

Exchange to_exchange(const mock::HttpResponse &response) {
  Exchange out;
  out.status = response.status;
  for (const auto &[name, value] : response.headers) {
    out.headers.emplace(name, value);
  }
  out.body = response.body;
  return out;
}

bool asks_for_fault(const RequestSpec &spec) {
  return std::any_of(spec.headers.begin(), spec.headers.end(), [](const auto &header) {
    return header.first == "Prefer" && header.second.find("fault=") != std::string::npos;
  });
}

// The fixtures' side of every request the target was sent, and the comparison.
DriftReport compare_once(const Target &target, const std::vector<mock::FixtureFile> &files) {
  DriftInput input;
  for (const auto &file : files) {
    input.fixture_files[file.name] = json::parse(file.text);
  }
  input.redact = [&target](std::string text) { return target.redact(std::move(text)); };
  const mock::AuthHandler handler(mock::load_fixtures(files, "drift"));
  Keys keys = fixture_keys(handler.fixtures());
  keys.by_kind["invalid"] = target.keys().invalid();
  std::size_t fault_probes = 0;
  for (const auto &spec : request_specs()) {
    const auto sent = target.sent().find(spec.id);
    // The model's requests are framed and shaped beyond what the handler is asked here.
    if (spec.point || sent == target.sent().end() || !sent->second.not_sent.empty()) {
      continue;
    }
    // A fault probe asks the mock to send no answer (or a broken one): there is nothing
    // to compare with the fixtures' answer, and "not observed" would be no news.
    if (asks_for_fault(spec)) {
      ++fault_probes;
      continue;
    }
    // Over the in-process mock's limit the transport answers payload_too_large and
    // never reads the body: neither fill nor copy 2 MiB for it.
    const bool too_large = spec.body.size() > mock::ServerOptions{}.max_body_bytes;
    const auto body = too_large ? std::optional<std::string>("") : fill_keys(spec.body, keys);
    if (!body || keys.valid().empty()) {
      continue; // the fixtures have no key for it: nothing to compare
    }
    mock::HttpRequest request;
    request.method = spec.method;
    request.path = std::string(mock::authenticate_path);
    request.content_type = spec.content_type;
    request.body = *body;
    request.body_too_large = too_large;
    const auto handled = handler.handle(request);
    input.samples.push_back({spec.id, spec.method, handled.facts.answer, sent->second.exchanges,
                             to_exchange(handled.response)});
  }
  DriftReport report = compare_with_fixtures(input);
  report.fault_probes = fault_probes;
  return report;
}

} // namespace

std::string_view to_string(DriftVerdict verdict) {
  switch (verdict) {
  case DriftVerdict::same:
    return "same";
  case DriftVerdict::drift:
    return "DRIFT";
  case DriftVerdict::unpatchable:
    return "DRIFT, not patchable";
  case DriftVerdict::unobserved:
    return "not observed";
  }
  return "?";
}

void merge_fragment(json &into, const json &fragment) {
  if (!into.is_object() || !fragment.is_object()) {
    into = fragment;
    return;
  }
  for (const auto &[name, value] : fragment.items()) {
    if (value.is_object() && into.contains(name) && into[name].is_object()) {
      merge_fragment(into[name], value);
    } else {
      into[name] = value;
    }
  }
}

std::size_t DriftReport::count(DriftVerdict verdict) const {
  return static_cast<std::size_t>(std::count_if(
      rows.begin(), rows.end(), [verdict](const DriftRow &row) { return row.verdict == verdict; }));
}

json DriftReport::to_json() const {
  json out = json::array();
  for (const auto &row : rows) {
    if (row.verdict == DriftVerdict::drift || row.verdict == DriftVerdict::unpatchable) {
      out.push_back({{"aspect", row.aspect}, {"fixtures", row.fixtures}, {"target", row.target}});
    }
  }
  return out;
}

namespace {

// `text` cut into lines of at most `width` characters, each broken after the last ", "
// or space that fits (a type list breaks between its members), else at the width.
std::vector<std::string> wrapped(const std::string &text, std::size_t width) {
  std::vector<std::string> lines;
  std::string_view rest = text;
  while (rest.size() > width) {
    std::size_t cut = rest.substr(0, width + 1).find_last_of(", ");
    cut = cut == std::string_view::npos || cut == 0 ? width : cut + 1;
    std::string_view line = rest.substr(0, cut);
    while (!line.empty() && line.back() == ' ') {
      line.remove_suffix(1);
    }
    lines.emplace_back(line);
    rest.remove_prefix(cut);
    while (!rest.empty() && rest.front() == ' ') {
      rest.remove_prefix(1);
    }
  }
  if (!rest.empty() || lines.empty()) {
    lines.emplace_back(rest);
  }
  return lines;
}

} // namespace

void DriftReport::print_table(std::ostream &out) const {
  // At most table_width columns: the verdict whole, the aspect up to 30 wide, the rest
  // shared by the two values; a longer cell goes on over more lines.
  constexpr std::size_t table_width = 100;
  constexpr std::size_t gap = 2;
  std::size_t verdict_width = 7;
  std::size_t longest[3] = {6, 8, 6};
  for (const auto &row : rows) {
    verdict_width = std::max(verdict_width, to_string(row.verdict).size());
    longest[0] = std::max(longest[0], row.aspect.size());
    longest[1] = std::max(longest[1], row.fixtures.size());
    longest[2] = std::max(longest[2], row.target.size());
  }
  const std::size_t room = table_width - verdict_width - 3 * gap;
  std::size_t widths[3];
  widths[0] = std::min<std::size_t>(longest[0], 30);
  widths[1] = std::min(longest[1], (room - widths[0]) / 2);
  widths[2] = std::min(longest[2], room - widths[0] - widths[1]);
  widths[1] = std::min(longest[1], room - widths[0] - widths[2]);

  const auto print_row = [&](const std::string &aspect, const std::string &fixtures,
                             const std::string &target, std::string_view verdict) {
    const std::vector<std::string> cells[3] = {
        wrapped(aspect, widths[0]), wrapped(fixtures, widths[1]), wrapped(target, widths[2])};
    const std::size_t height = std::max({cells[0].size(), cells[1].size(), cells[2].size()});
    for (std::size_t i = 0; i < height; ++i) {
      std::string line;
      for (std::size_t c = 0; c < 3; ++c) {
        const std::string &text = i < cells[c].size() ? cells[c][i] : std::string();
        line += text + std::string(widths[c] - text.size() + gap, ' ');
      }
      line += i == 0 ? std::string(verdict) : std::string();
      while (!line.empty() && line.back() == ' ') {
        line.pop_back();
      }
      out << line << "\n";
    }
  };
  out << "\n";
  print_row("aspect", "fixtures", "target", "verdict");
  for (const auto &row : rows) {
    print_row(row.aspect, row.fixtures, row.target, to_string(row.verdict));
  }
  out << "\ndrift: " << rows.size() << " aspects compared: " << count(DriftVerdict::same)
      << " same, " << count(DriftVerdict::drift) + count(DriftVerdict::unpatchable) << " differ ("
      << count(DriftVerdict::unpatchable) << " of them not patchable), "
      << count(DriftVerdict::unobserved) << " not observed\n";
  if (fault_probes > 0) {
    out << "drift: " << fault_probes
        << " fault probes not compared: they ask the mock for no answer (Prefer: fault=)\n";
  }
  if (!problem.empty()) {
    out << "drift: " << problem << "\n";
  }
}

DriftReport compare_with_fixtures(const DriftInput &input) {
  return Comparison(input).run();
}

DriftReport measure_drift(const Target &target, const std::vector<mock::FixtureFile> &files) {
  DriftReport report = compare_once(target, files);
  // A fragment that makes the set fail to load (a status the format refuses) is dropped.
  json patch = json::object();
  for (auto &row : report.rows) {
    if (row.verdict != DriftVerdict::drift) {
      continue;
    }
    json candidate = patch;
    merge_fragment(candidate, row.fragment);
    try {
      mock::load_fixtures(mock::apply_fixture_patch(files, {"drift", "", candidate}), "drift");
      patch = std::move(candidate);
    } catch (const mock::FixtureError &) {
      row.verdict = DriftVerdict::unpatchable;
      row.fragment = json();
    }
  }
  report.patch = patch;
  if (patch.empty()) {
    return report;
  }
  // The proof: the patched fixtures against the same answers. What still differs is
  // beyond what the fixture format can say.
  const DriftReport again =
      compare_once(target, mock::apply_fixture_patch(files, {"drift", "", patch}));
  for (auto &row : report.rows) {
    const auto it = std::find_if(again.rows.begin(), again.rows.end(),
                                 [&](const DriftRow &r) { return r.aspect == row.aspect; });
    // An aspect gone from both sides (a message field the patch removed) agrees.
    if (row.verdict == DriftVerdict::drift && it != again.rows.end() &&
        it->verdict != DriftVerdict::same) {
      row.verdict = DriftVerdict::unpatchable;
    }
  }
  return report;
}

} // namespace inspekt::conformance
