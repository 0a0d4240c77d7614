// libFuzzer entry point; the rules are in upload_body_check.cpp (see checks.hpp).
#include "checks.hpp"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  inspekt::fuzz::check_upload_body(std::string_view(reinterpret_cast<const char *>(data), size));
  return 0;
}
