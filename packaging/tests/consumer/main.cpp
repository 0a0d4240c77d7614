// Logs in to $INSPEKT_BASE_URL with the key in $INSPEKT_API_KEY through the installed
// client library; prints the library's version and the session id (never a token).

#include <inspekt/client/auth_client.hpp>
#include <inspekt/core/version.hpp>

#include <cstdlib>
#include <iostream>

int main() {
  const char *base_url = std::getenv("INSPEKT_BASE_URL");
  const char *key = std::getenv("INSPEKT_API_KEY");
  if (base_url == nullptr || key == nullptr) {
    std::cerr << "login: set INSPEKT_BASE_URL and INSPEKT_API_KEY\n";
    return 2;
  }
  inspekt::ClientOptions options;
  options.base_url = base_url;
  const inspekt::AuthClient client(options);
  if (!client.valid()) {
    std::cerr << "login: " << *client.error() << "\n";
    return 2;
  }
  const auto result = client.authenticate(key, "consumer");
  if (!result) {
    std::cerr << "login: " << *result.error << "\n";
    return 1;
  }
  std::cout << "inspekt " << inspekt::version() << " session " << result.credentials->session
            << "\n";
  return 0;
}
