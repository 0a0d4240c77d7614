#include "inspekt/mock/whole_file.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace inspekt::mock {

void write_whole_file(const std::string &path, std::string_view text) {
  const auto fail = [&path](const std::string &what) {
    return WriteError("cannot write \"" + path + "\": " + what + ": " + std::strerror(errno));
  };
  std::string temporary = path + ".tmp-XXXXXX";
  const int fd = ::mkstemp(temporary.data());
  if (fd < 0) {
    throw fail("cannot create a temporary file beside it");
  }
  std::size_t written = 0;
  bool ok = ::fchmod(fd, 0644) == 0;
  while (ok && written < text.size()) {
    const auto n = ::write(fd, text.data() + written, text.size() - written);
    ok = n > 0;
    written += ok ? static_cast<std::size_t>(n) : 0;
  }
  ok = ok && ::fsync(fd) == 0;
  ok = (::close(fd) == 0) && ok;
  if (!ok || ::rename(temporary.c_str(), path.c_str()) != 0) {
    const auto error = fail(ok ? "rename failed" : "write failed");
    ::unlink(temporary.c_str());
    throw error;
  }
}

} // namespace inspekt::mock
