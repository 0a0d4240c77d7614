#include "inspekt/mock/handler/auth_handler.hpp"
#include "inspekt/mock/handler/login_body.hpp"
#include "inspekt/mock/handler/upload_sink.hpp"

#include "inspekt/core/exchange.hpp"
#include "inspekt/core/secrets.hpp"

#include <algorithm>

namespace inspekt::mock {
namespace {

using nlohmann::json;

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

// A uniform draw in [0, 1).
double unit_draw(Entropy &entropy) {
  return static_cast<double>(entropy.next() >> 11) * 0x1.0p-53;
}

void set_header(HeaderList &headers, const std::string &name, const std::string &value) {
  const auto same = [&name](const auto &header) {
    return equals_ignoring_case(header.first, name);
  };
  headers.erase(std::remove_if(headers.begin(), headers.end(), same), headers.end());
  headers.emplace_back(name, value);
}

} // namespace

AuthHandler::AuthHandler(FixtureSet fixtures, DeterminismOptions determinism, PreferHeader prefer)
    : AuthHandler(std::move(fixtures), std::make_shared<MockState>(determinism), prefer) {}

AuthHandler::AuthHandler(FixtureSet fixtures, std::shared_ptr<MockState> state, PreferHeader prefer)
    : AuthHandler(std::make_shared<const FixtureSet>(std::move(fixtures)), std::move(state),
                  prefer) {}

AuthHandler::AuthHandler(std::shared_ptr<const FixtureSet> fixtures,
                         std::shared_ptr<MockState> state, PreferHeader prefer,
                         const UploadLimits &uploads)
    : fixtures_(std::move(fixtures)), keys_(fixtures_->keys), issuer_(fixtures_->tokens),
      verifier_(issuer_), state_(std::move(state)), sessions_(fixtures_->session, state_->entropy),
      prefer_(prefer), upload_limits_(uploads) {
  // Bodies without placeholders are rendered once, not on every request.
  fixed_bodies_.resize(fixtures_->answers.size());
  templates_.resize(fixtures_->answers.size());
  for (AnswerId id = 0; id < fixtures_->answers.size(); ++id) {
    const auto &response = fixtures_->answers[id].response;
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
  Decision decision;
  RequestFacts &facts = decision.facts;
  // Every path ends here, once: the decision is moved out (once), not copied.
  const auto finish_with = [&decision](AnswerId answer) -> Decision && {
    decision.answer = answer;
    return std::move(decision);
  };
  const auto finish = [this, &finish_with](Outcome outcome) -> Decision && {
    return finish_with(fixtures_->answer_id(outcome));
  };
  const auto refuse = [&facts, &finish](Reason reason) -> Decision && {
    facts.reason = reason;
    return finish(Outcome::invalid_request);
  };
  // The order is docs/architecture.md's: path, method, size, media type, JSON, fields, key. A
  // Prefer header overrides what the body gets, not the refusals before it.
  if (request.path != authenticate_path) {
    return decide_elsewhere(request);
  }
  if (std::string_view(request.method) != "POST") {
    return finish(Outcome::method_not_allowed);
  }
  if (request.body_too_large) {
    return finish(Outcome::payload_too_large);
  }
  if (!take_preference(request, decision)) {
    return decision;
  }
  const std::optional<Preference> &preference = decision.preference;
  std::optional<AnswerId> wanted; // the answer the Prefer header asks for
  if (preference && (preference->code || preference->answer)) {
    wanted = decision.answer;
  }
  const auto preferred = [&wanted](Decision &&natural) -> Decision {
    if (wanted) {
      natural.answer = *wanted;
      natural.facts.reason = Reason::prefer;
    }
    return std::move(natural);
  };
  if (!request.content_type || !is_json_media_type(*request.content_type)) {
    return preferred(refuse(Reason::content_type));
  }
  const LoginBody body(request.body);
  switch (body.shape()) {
  case LoginBody::Shape::object:
    break;
  case LoginBody::Shape::too_deep:
    return preferred(refuse(Reason::too_deep));
  case LoginBody::Shape::not_json:
    return preferred(refuse(Reason::not_json));
  case LoginBody::Shape::not_object:
    return preferred(refuse(Reason::not_object));
  }
  using Kind = LoginBody::Member::Kind;
  const auto &key = body.key();
  const auto &client_id = body.client_id();
  if (key.kind == Kind::string) {
    facts.key_hint = key_hint(key.text);
  }
  if (client_id.kind == Kind::string) {
    facts.client_id.emplace(client_id.text);
  }
  if (key.kind == Kind::absent) {
    return preferred(refuse(Reason::key_missing));
  }
  if (key.kind != Kind::string) {
    return preferred(refuse(Reason::key_not_string));
  }
  if (key.text.empty()) {
    return preferred(refuse(Reason::key_empty));
  }
  if (client_id.kind == Kind::other) {
    return preferred(refuse(Reason::client_id_not_string));
  }
  KeyDigest digest{};
  const ApiKeyEntry *entry = keys_.find(key.text, &digest);
  if (entry == nullptr) {
    facts.key_tag = key_tag(key_digest(key.text));
    return preferred(finish(Outcome::unknown_key));
  }
  facts.key_tag = key_tag(digest);
  decision.key = digest;
  decision.answer = entry->answer;
  apply_key(*entry, digest, wanted.has_value(), decision);
  if (preference) {
    apply_preference(*preference, decision); // the request's word over the key's
  }
  return preferred(finish_with(decision.answer));
}

AuthHandler::Decision AuthHandler::decide_elsewhere(const HttpRequest &request) const {
  if (const GuardedRoute *route = fixtures_->gate.find(request.method, request.path)) {
    return decide_guarded(request, *route);
  }
  Decision decision;
  auto allowed = fixtures_->gate.methods_at(request.path);
  if (allowed.empty()) {
    decision.answer = fixtures_->answer_id(Outcome::not_found);
    return decision;
  }
  decision.allow = std::move(allowed); // RFC 9110 section 15.5.6: the methods it has
  decision.answer = fixtures_->answer_id(Outcome::method_not_allowed);
  return decision;
}

bool AuthHandler::take_preference(const HttpRequest &request, Decision &decision) const {
  if (!request.prefer || prefer_ != PreferHeader::honoured) {
    return true;
  }
  auto parsed = parse_prefer(*request.prefer);
  if (parsed.problem.empty()) {
    parsed.problem = apply_preference(parsed.preference, decision);
  }
  if (!parsed.problem.empty()) {
    decision = Decision{};
    decision.problem = std::move(parsed.problem);
    decision.facts.reason = Reason::prefer_invalid;
    decision.answer = fixtures_->answer_id(Outcome::invalid_request);
    return false;
  }
  decision.preference = std::move(parsed.preference);
  return true;
}

AuthHandler::Decision AuthHandler::decide_guarded(const HttpRequest &request,
                                                  const GuardedRoute &route) const {
  Decision decision;
  RequestFacts &facts = decision.facts;
  if (request.body_too_large) {
    decision.answer = fixtures_->answer_id(Outcome::payload_too_large);
    return decision;
  }
  if (!take_preference(request, decision)) {
    return decision;
  }
  std::optional<AnswerId> wanted; // the answer the Prefer header asks for, over the gate's
  if (decision.preference && (decision.preference->code || decision.preference->answer)) {
    wanted = decision.answer;
  }
  // The engine streamed the body to our sink; a request built by hand (tests, the
  // fuzzer) has it whole.
  auto *sink = dynamic_cast<UploadSink *>(request.body_sink.get());
  std::optional<UploadBodyReader> whole;
  if (sink == nullptr) {
    whole.emplace(request.content_type, upload_limits_);
    whole->feed(request.body);
  }
  UploadBodyReader &reader = sink != nullptr ? sink->reader() : *whole;
  if (reader.problem() == UploadProblem::none) {
    reader.finish();
  }
  if (reader.kind() == UploadBodyKind::multipart) {
    facts.parts = reader.parts();
  }
  std::optional<std::string> query_named; // the query's session, when the body names none
  GateRequest gate{request.authorization, std::nullopt};
  if (reader.problem() == UploadProblem::too_large) {
    decision.answer = fixtures_->answer_id(Outcome::payload_too_large);
    return decision; // as the engine's 413: no Prefer over it
  }
  if (reader.problem() != UploadProblem::none) {
    facts.reason = Reason::upload_body;
    decision.answer = fixtures_->answer_id(Outcome::invalid_request);
    decision.problem = reader.message();
  } else {
    if (reader.session()) {
      gate.session = *reader.session();
    } else if ((query_named = query_session(request.query))) {
      gate.session = *query_named;
    }
    const GateVerdict verdict =
        gate_decision(gate, verifier_, state_->revocations, state_->clock.now());
    if (verdict.refusal) {
      facts.reason = reason_of(*verdict.refusal);
      // The loader makes every set that guards a route define the refusals' answers.
      decision.answer = fixtures_->answer_id(answer_of(*verdict.refusal));
    } else {
      decision.answer = route.answer;
    }
  }
  if (decision.preference) {
    apply_preference(*decision.preference, decision); // delays and faults as on the login
  }
  if (wanted) {
    decision.answer = *wanted;
    decision.problem.clear();
    facts.reason = Reason::prefer;
  }
  return decision;
}

void AuthHandler::apply_key(const ApiKeyEntry &entry, const KeyDigest &digest,
                            bool answer_preferred, Decision &decision) const {
  decision.delay = entry.delay;
  decision.fault = entry.fault;
  decision.lifetime = entry.token_lifetime;
  if (answer_preferred) {
    return; // the client chose the answer: no quota, no chaos
  }
  if (entry.quota) {
    const auto verdict = state_->quotas.admit(digest, *entry.quota, state_->clock.now_ms());
    if (!verdict.allowed) {
      decision.answer = fixtures_->answer_id(Outcome::rate_limited);
      decision.retry_after = verdict.retry_after;
      decision.facts.reason = Reason::quota;
      return;
    }
  }
  if (entry.chaos && unit_draw(state_->chaos) < entry.chaos->probability) {
    if (entry.chaos->answer) {
      decision.answer = *entry.chaos->answer;
    }
    if (entry.chaos->fault) {
      decision.fault = entry.chaos->fault;
    }
    decision.facts.reason = Reason::chaos;
  }
}

std::string AuthHandler::apply_preference(const Preference &preference, Decision &decision) const {
  if (preference.code) {
    const auto &answers = fixtures_->answers;
    const auto it = std::find_if(answers.begin(), answers.end(), [&](const Answer &answer) {
      return answer.response.status == *preference.code;
    });
    if (it == answers.end()) {
      return "Prefer: code=" + std::to_string(*preference.code) +
             ": no answer of the fixtures has that status";
    }
    decision.answer = static_cast<AnswerId>(it - answers.begin());
  }
  if (preference.answer) {
    const auto id = fixtures_->find_answer(*preference.answer);
    if (!id) {
      const auto &name = *preference.answer;
      std::string known;
      for (const auto &answer : fixtures_->answers) {
        known += (known.empty() ? "" : ", ") + answer.name;
      }
      return "Prefer: answer=" + (name.size() <= 64 ? name : name.substr(0, 64) + "...") +
             ": the fixtures have no answer of that name (known: " + known + ")";
    }
    decision.answer = *id;
  }
  if (preference.delay) {
    decision.delay = *preference.delay;
  }
  if (preference.fault) {
    decision.fault = preference.fault;
  }
  if (preference.lifetime) {
    decision.lifetime = preference.lifetime;
  }
  return "";
}

HttpResponse AuthHandler::answer(const HttpRequest &request, AnswerNote *note) const {
  Decision decision = decide(request);
  decision.facts.answer = fixtures_->name_of(decision.answer);
  decision.facts.delay = decision.delay;
  HttpResponse response = render(decision);
  if (auto *noted = dynamic_cast<FactsNote *>(note)) {
    noted->facts = std::move(decision.facts);
  }
  return response;
}

std::shared_ptr<BodySink> AuthHandler::open_body(const HttpRequest &head) const {
  if (fixtures_->gate.find(head.method, head.path) == nullptr) {
    return nullptr;
  }
  return std::make_shared<UploadSink>(head.content_type, upload_limits_);
}

HandledRequest AuthHandler::handle(const HttpRequest &request) const {
  FactsNote note;
  HttpResponse response = answer(request, &note);
  return {std::move(response), std::move(note.facts)};
}

HttpResponse AuthHandler::refuse(Refusal refusal) const {
  return respond(refusal == Refusal::payload_too_large ? Outcome::payload_too_large
                                                       : Outcome::invalid_request);
}

HttpResponse AuthHandler::respond(Outcome outcome) const {
  Decision decision;
  decision.answer = fixtures_->answer_id(outcome);
  return render(decision);
}

HttpResponse AuthHandler::render(const Decision &decision) const {
  HttpResponse response;
  response.delay = decision.delay;
  response.fault = decision.fault;
  if (!decision.problem.empty()) {
    // The mock's own answer, not the fixture's: its message names the problem.
    response.status = 400;
    response.headers.emplace_back("Content-Type", "application/json");
    response.body = dump(json{{"message", decision.problem}});
    return response;
  }
  const AnswerId answer = decision.answer;
  const auto &templ = fixtures_->answers[answer].response;
  response.status = templ.status;
  response.headers = templ.headers;
  if (decision.retry_after) {
    set_header(response.headers, "Retry-After", std::to_string(decision.retry_after->count()));
  }
  if (!decision.allow.empty()) {
    set_header(response.headers, "Allow", decision.allow);
  }
  if (decision.preference) {
    // RFC 7240 section 3: what of the request's Prefer this answer applied.
    if (auto applied = applied_preferences(*decision.preference, templ.needs_credentials);
        !applied.empty()) {
      set_header(response.headers, "Preference-Applied", applied);
    }
  }
  if (const auto &fixed = fixed_bodies_[answer]) {
    response.body = *fixed;
    return response;
  }
  std::string session;
  IssuedTokens tokens;
  if (templ.needs_credentials) {
    const std::int64_t now = state_->clock.now();
    session = sessions_.next(state_->entropy, now);
    tokens =
        issuer_.issue(session, decision.facts.client_id, now, state_->entropy, decision.lifetime);
    if (decision.key) {
      // So that revoking the key reaches this token (token_revocations.hpp).
      state_->revocations.record_issued(tokens.refresh_token_id(), *decision.key);
    }
  }
  std::optional<std::string_view> client;
  if (decision.facts.client_id) {
    client = *decision.facts.client_id;
  }
  response.body =
      templates_[answer]->render({session, tokens.access_token, tokens.refresh_token, client});
  return response;
}

} // namespace inspekt::mock
