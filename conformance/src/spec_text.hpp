#pragma once
// The vendor page's sentences (spec/authentication-api.txt) that more than one part of
// the suite cites: the case table and the request model's oracle.

namespace inspekt::conformance::spec_text {

inline constexpr const char *status_200 =
    "200 | Success | Request successful. Response contains session, access_token, and "
    "refresh_token.";
inline constexpr const char *params = "key | string | Yes | Your API key; client_id | string | No";
inline constexpr const char *status_400 = "400 | Invalid API key | Request body missing required "
                                          "fields, malformed, or contains invalid values.";
inline constexpr const char *status_401 = "401 | API Key not valid | The provided API key is "
                                          "invalid or expired.";
inline constexpr const char *status_405 = "405 | Method not allowed | The HTTP method used is not "
                                          "supported (only POST is allowed).";

} // namespace inspekt::conformance::spec_text
