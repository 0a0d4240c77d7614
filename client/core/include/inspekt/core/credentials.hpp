#pragma once
// What a successful login gives, with the roles the vendor's page assigns (unusual, but
// documented): refresh_token authorises later calls, access_token renews the session,
// session goes into every later request body.

#include "inspekt/core/jwt.hpp"

#include <string>

namespace inspekt {

struct Credentials {
  std::string session;
  std::string access_token;
  std::string refresh_token;
  DecodedJwt access;  // header and claims of access_token; the signature is not checked
  DecodedJwt refresh; // the same for refresh_token

  // "Bearer <refresh_token>": the page puts refresh_token in the Authorization header.
  std::string authorization_header() const { return "Bearer " + refresh_token; }
};

} // namespace inspekt
