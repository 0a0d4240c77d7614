#include "inspekt/core/text.hpp"
#include "inspekt/core/endpoint.hpp"

namespace inspekt {

std::string host_in_url(std::string_view host) {
  if (host.find(':') != std::string_view::npos) {
    return "[" + std::string(host) + "]";
  }
  return std::string(host);
}

void replace_all(std::string &text, std::string_view what, std::string_view with) {
  if (what.empty()) {
    return;
  }
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + with.size())) {
    text.replace(at, what.size(), with);
  }
}

} // namespace inspekt
