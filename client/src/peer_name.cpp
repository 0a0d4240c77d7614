#include "inspekt/client/peer_name.hpp"

#include <openssl/x509_vfy.h>

#include <arpa/inet.h>
#include <netinet/in.h>

namespace inspekt {

bool expect_peer_name(X509_VERIFY_PARAM *param, const std::string &host) {
  in6_addr address{};
  const bool ip = ::inet_pton(AF_INET, host.c_str(), &address) == 1 ||
                  ::inet_pton(AF_INET6, host.c_str(), &address) == 1;
  return ip ? X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) == 1
            : X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size()) == 1;
}

} // namespace inspekt
