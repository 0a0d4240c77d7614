#include "fake_gate.hpp"

#include "inspekt/core/base64url.hpp"
#include "inspekt/core/jwt.hpp"

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <chrono>

namespace inspekt::testing {
namespace {

using nlohmann::json;

constexpr std::string_view secret = "fake-gate-secret-not-the-mock's";

std::string token(const json &claims) {
  const std::string header = base64url_encode(json{{"alg", "HS256"}, {"typ", "JWT"}}.dump());
  return sign_jwt(JwtAlgorithm::hs256, header, base64url_encode(claims.dump()), secret);
}

void answer(httplib::Response &res, int status, const std::string &message) {
  res.status = status;
  res.set_content(json{{"message", message}}.dump(), "application/json");
}

// The `session` as the gate reads it: a JSON member, a form field (multipart or
// urlencoded), else a query parameter.
std::string session_of(const httplib::Request &req) {
  if (req.is_multipart_form_data()) {
    return req.has_file("session") ? req.get_file_value("session").content : std::string();
  }
  if (req.get_header_value("Content-Type").rfind("application/json", 0) == 0) {
    const auto body = json::parse(req.body, nullptr, false);
    if (body.is_object() && body.contains("session") && body["session"].is_string()) {
      return body["session"].get<std::string>();
    }
  }
  // httplib puts urlencoded form fields and query parameters in params alike.
  return req.get_param_value("session");
}

} // namespace

FakeGate::FakeGate()
    : now_(std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
               .count()),
      server_([this](httplib::Server &server) {
        server.Post("/api/authenticate", [this](const httplib::Request &req,
                                                httplib::Response &res) {
          const auto body = json::parse(req.body, nullptr, false);
          if (!body.is_object() || !body.contains("key") || !body["key"].is_string()) {
            answer(res, 400, "Invalid API key");
            return;
          }
          if (body["key"] != valid_key) {
            ++failed_logins_;
            answer(res, 401, "API Key not valid");
            return;
          }
          const int seq = ++sessions_;
          const std::string session = "in" + std::to_string(1000 + seq) + "20260101000000";
          const std::int64_t iat = now_;
          json claims{{"iat", iat}, {"exp", iat + lifetime_}, {"sid", session}, {"seq", seq}};
          claims["token_type"] = "access";
          const std::string access = token(claims);
          claims["token_type"] = "refresh";
          res.set_content(
              json{{"session", session}, {"access_token", access}, {"refresh_token", token(claims)}}
                  .dump(),
              "application/json");
          ++logins_;
        });
        server.Post("/api/upload", [this](const httplib::Request &req, httplib::Response &res) {
          const auto refuse = [&](int status, const std::string &reason, bool invalid_token) {
            res.set_header("WWW-Authenticate",
                           invalid_token ? "Bearer error=\"invalid_token\"" : "Bearer");
            answer(res, status, reason);
            ++refused_;
            const std::lock_guard<std::mutex> lock(mutex_);
            last_reason_ = reason;
          };
          const std::string authorization = req.get_header_value("Authorization");
          if (authorization.rfind("Bearer ", 0) != 0) {
            refuse(401, "token_missing", false);
            return;
          }
          const std::string bearer = authorization.substr(7);
          const auto decoded = decode_jwt(bearer);
          if (!decoded || !verify_jwt(bearer, JwtAlgorithm::hs256, secret) ||
              decoded.jwt->claims.value("token_type", "") != "refresh") {
            refuse(401, "token_invalid", true);
            return;
          }
          const json &claims = decoded.jwt->claims;
          if (claims.value("exp", std::int64_t{0}) <= now_) {
            refuse(401, "token_expired", true);
            return;
          }
          const std::string sid = claims.value("sid", "");
          {
            std::unique_lock<std::mutex> lock(mutex_);
            const bool revoked = refuse_next_.fetch_sub(1) > 0 || revoke_always_ ||
                                 revoked_.count(sid) != 0 ||
                                 claims.value("seq", 0) < revoked_below_;
            lock.unlock();
            if (revoked) {
              refuse(401, "token_revoked", true);
              return;
            }
          }
          const std::string session = session_of(req);
          if (session.empty()) {
            answer(res, 400, "session_missing");
            ++refused_;
            const std::lock_guard<std::mutex> lock(mutex_);
            last_reason_ = "session_missing";
            return;
          }
          if (session != sid) {
            refuse(401, "session_mismatch", false);
            return;
          }
          std::vector<std::string> parts;
          for (const auto &[name, file] : req.files) {
            parts.push_back(name + ":" + file.filename + ":" + std::to_string(file.content.size()));
          }
          {
            const std::lock_guard<std::mutex> lock(mutex_);
            last_parts_ = std::move(parts);
          }
          ++accepted_;
          answer(res, 200, "Upload received");
        });
      }) {}

void FakeGate::revoke(const std::string &session) {
  const std::lock_guard<std::mutex> lock(mutex_);
  revoked_.insert(session);
}

void FakeGate::revoke_all(bool always) {
  const std::lock_guard<std::mutex> lock(mutex_);
  revoked_below_ = sessions_ + 1;
  revoke_always_ = always;
}

std::string FakeGate::last_reason() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  return last_reason_;
}

std::vector<std::string> FakeGate::last_parts() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  return last_parts_;
}

} // namespace inspekt::testing
