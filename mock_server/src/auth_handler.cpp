#include "inspekt/mock/auth_handler.hpp"

#include "inspekt/client/exchange.hpp"
#include "inspekt/client/secrets.hpp"

#include <algorithm>
#include <cctype>

namespace inspekt::mock {
namespace {

using nlohmann::json;

// Deeper JSON than this is refused before it is built: no real payload comes close,
// and it bounds the work a hostile body can cause.
constexpr int max_json_depth = 32;

std::string dump(const json &value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

bool has_placeholder(const json &value) {
  if (value.is_string()) {
    return value.get_ref<const std::string &>().rfind("{{", 0) == 0;
  }
  if (value.is_structured()) {
    return std::any_of(value.begin(), value.end(), has_placeholder);
  }
  return false;
}

// The holes of a body template, in the order render() passes their values.
enum Hole : std::size_t { session_hole, access_token_hole, refresh_token_hole, client_id_hole };

std::optional<JsonTemplate::Hole> placeholder_hole(const json &node, std::string_view, int) {
  if (!node.is_string()) {
    return std::nullopt;
  }
  const auto &text = node.get_ref<const std::string &>();
  if (text == "{{session}}") {
    return JsonTemplate::Hole{session_hole, true};
  }
  if (text == "{{access_token}}") {
    return JsonTemplate::Hole{access_token_hole, true};
  }
  if (text == "{{refresh_token}}") {
    return JsonTemplate::Hole{refresh_token_hole, true};
  }
  if (text == "{{client_id}}") {
    return JsonTemplate::Hole{client_id_hole, true}; // null when no client_id was sent
  }
  return std::nullopt;
}

} // namespace

AuthHandler::AuthHandler(FixtureSet fixtures, DeterminismOptions determinism)
    : fixtures_(std::move(fixtures)), keys_(fixtures_.keys), issuer_(fixtures_.tokens),
      entropy_(determinism.seed), sessions_(fixtures_.session, entropy_),
      clock_(determinism.now_epoch_seconds) {
  // Bodies without placeholders are rendered once, not on every request.
  fixed_bodies_.resize(fixtures_.answers.size());
  templates_.resize(fixtures_.answers.size());
  for (AnswerId id = 0; id < fixtures_.answers.size(); ++id) {
    const auto &response = fixtures_.answers[id].response;
    auto &fixed = fixed_bodies_[id];
    if (response.raw_body) {
      fixed = *response.raw_body;
    } else if (!response.json_body) {
      fixed = std::string();
    } else if (!has_placeholder(*response.json_body)) {
      fixed = dump(*response.json_body);
    } else {
      templates_[id] = JsonTemplate(*response.json_body, placeholder_hole);
    }
  }
}

AuthHandler::Decision AuthHandler::decide(const HttpRequest &request) const {
  RequestFacts facts;
  const auto finish_with = [this, &facts](AnswerId answer) {
    facts.answer = fixtures_.name_of(answer);
    return Decision{answer, facts};
  };
  const auto finish = [this, &finish_with](Outcome outcome) {
    return finish_with(fixtures_.answer_id(outcome));
  };
  const auto refuse = [&facts, &finish](Reason reason) {
    facts.reason = reason;
    return finish(Outcome::invalid_request);
  };
  // The order is DESIGN.md's: path, method, size, media type, JSON, fields, key.
  if (request.path != authenticate_path) {
    return finish(Outcome::not_found);
  }
  if (request.method != "POST") {
    return finish(Outcome::method_not_allowed);
  }
  if (request.body_too_large) {
    return finish(Outcome::payload_too_large);
  }
  if (!request.content_type || !is_json_media_type(*request.content_type)) {
    return refuse(Reason::content_type);
  }
  bool too_deep = false;
  const auto limit_depth = [&too_deep](int depth, json::parse_event_t, json &) {
    too_deep = too_deep || depth > max_json_depth;
    return !too_deep;
  };
  const json body = json::parse(request.body, limit_depth, /*allow_exceptions=*/false);
  if (too_deep) {
    return refuse(Reason::too_deep);
  }
  if (body.is_discarded()) {
    return refuse(Reason::not_json);
  }
  if (!body.is_object()) {
    return refuse(Reason::not_object);
  }
  const auto key = body.find("key");
  if (key != body.end() && key->is_string()) {
    facts.key_hint = key_hint(key->get_ref<const std::string &>());
  }
  const auto client_id = body.find("client_id");
  if (client_id != body.end() && client_id->is_string()) {
    facts.client_id = client_id->get<std::string>();
  }
  if (key == body.end()) {
    return refuse(Reason::key_missing);
  }
  if (!key->is_string()) {
    return refuse(Reason::key_not_string);
  }
  if (key->get_ref<const std::string &>().empty()) {
    return refuse(Reason::key_empty);
  }
  if (client_id != body.end() && !client_id->is_string()) {
    return refuse(Reason::client_id_not_string);
  }
  const ApiKeyEntry *entry = keys_.find(key->get_ref<const std::string &>());
  if (entry == nullptr) {
    return finish(Outcome::unknown_key);
  }
  return finish_with(entry->answer);
}

HandledRequest AuthHandler::handle(const HttpRequest &request) const {
  Decision decision = decide(request);
  HttpResponse response = render(decision.answer, decision.facts.client_id);
  return {std::move(response), std::move(decision.facts)};
}

HttpResponse AuthHandler::respond(Outcome outcome) const {
  return render(fixtures_.answer_id(outcome), std::nullopt);
}

HttpResponse AuthHandler::render(AnswerId answer,
                                 const std::optional<std::string> &client_id) const {
  const auto &templ = fixtures_.answers[answer].response;
  HttpResponse response;
  response.status = templ.status;
  response.headers = templ.headers;
  if (const auto &fixed = fixed_bodies_[answer]) {
    response.body = *fixed;
    return response;
  }
  std::string session;
  IssuedTokens tokens;
  if (templ.needs_credentials) {
    const std::int64_t now = clock_.now();
    session = sessions_.next(entropy_, now);
    tokens = issuer_.issue(session, client_id, now, entropy_);
  }
  std::optional<std::string_view> client;
  if (client_id) {
    client = *client_id;
  }
  response.body =
      templates_[answer]->render({session, tokens.access_token, tokens.refresh_token, client});
  return response;
}

} // namespace inspekt::mock
