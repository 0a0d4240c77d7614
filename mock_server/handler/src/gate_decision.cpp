#include "inspekt/mock/handler/gate_decision.hpp"

#include "inspekt/mock/handler/upload_body.hpp"

namespace inspekt::mock {

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t';
}

GateVerdict refused(TokenRefusal refusal, std::string_view detail = {}) {
  return {refusal, detail, std::nullopt};
}

} // namespace

std::optional<std::string_view> bearer_token(std::string_view authorization) {
  constexpr std::string_view scheme = "bearer";
  if (authorization.size() <= scheme.size() || !is_space(authorization[scheme.size()])) {
    return std::nullopt;
  }
  for (std::size_t i = 0; i < scheme.size(); ++i) {
    const char c = authorization[i];
    if ((c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c) != scheme[i]) {
      return std::nullopt;
    }
  }
  auto token = authorization.substr(scheme.size());
  while (!token.empty() && is_space(token.front())) {
    token.remove_prefix(1);
  }
  while (!token.empty() && is_space(token.back())) {
    token.remove_suffix(1);
  }
  if (token.empty()) {
    return std::nullopt;
  }
  return token;
}

std::optional<std::string> query_session(std::string_view query) {
  UploadBodyReader form{std::string_view("application/x-www-form-urlencoded")};
  if (!form.feed(query) || !form.finish()) {
    return std::nullopt; // a malformed query names no session
  }
  return form.session();
}

GateVerdict gate_decision(const GateRequest &request, const TokenVerifier &verifier,
                          const TokenRevocations &revocations, std::int64_t now) {
  const auto token = request.authorization ? bearer_token(*request.authorization) : std::nullopt;
  if (!token) {
    return refused(TokenRefusal::token_missing);
  }
  auto check = verifier.verify(*token, now);
  if (!check) {
    return refused(check.refusal, check.detail);
  }
  if (revocations.revoked(*check.token)) {
    return refused(TokenRefusal::token_revoked);
  }
  GateVerdict verdict{std::nullopt, {}, std::move(check.token)};
  if (!request.session || request.session->empty()) {
    verdict.refusal = TokenRefusal::session_missing;
  } else if (*request.session != verdict.token->session) {
    verdict.refusal = TokenRefusal::session_mismatch;
  }
  return verdict;
}

} // namespace inspekt::mock
