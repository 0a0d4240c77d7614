#pragma once
// Where the contract lives: the one endpoint's path, and how a host is written in a
// URL or a Host header. The client, the mock and the conformance suite all read these.

#include <string>
#include <string_view>

namespace inspekt {

// The vendor's page: POST {base}/api/authenticate.
inline constexpr std::string_view authenticate_path = "/api/authenticate";

// The call that follows a login in the vendor's flow (the Damage API page): POST
// {base}/api/upload with "Authorization: Bearer <refresh_token>" and the `session`.
inline constexpr std::string_view upload_path = "/api/upload";

// "[::1]" for an IPv6 address (it has colons), any other host as it is.
std::string host_in_url(std::string_view host);

} // namespace inspekt
