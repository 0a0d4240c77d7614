#include "inspekt/core/file_output.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace inspekt {
namespace {

std::string cannot_write(const std::string &path, const std::string &what) {
  return "cannot write \"" + path + "\": " + what;
}

} // namespace

std::optional<std::string> write_file_whole(const std::string &path, const std::string &text,
                                            unsigned mode) {
  std::string temporary = path + ".tmp-XXXXXX";
  const int fd = ::mkstemp(temporary.data());
  if (fd < 0) {
    return cannot_write(path,
                        std::string("cannot create a file in its folder: ") + std::strerror(errno));
  }
  std::size_t written = 0;
  bool ok = ::fchmod(fd, static_cast<mode_t>(mode)) == 0;
  while (ok && written < text.size()) {
    const auto n = ::write(fd, text.data() + written, text.size() - written);
    ok = n > 0;
    written += ok ? static_cast<std::size_t>(n) : 0;
  }
  ok = ok && ::fsync(fd) == 0;
  ok = (::close(fd) == 0) && ok;
  if (!ok || ::rename(temporary.c_str(), path.c_str()) != 0) {
    const auto error = cannot_write(path, std::string(ok ? "rename failed: " : "write failed: ") +
                                              std::strerror(errno));
    ::unlink(temporary.c_str());
    return error;
  }
  return std::nullopt;
}

std::optional<std::string> check_writable(const std::string &path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode)) {
    return cannot_write(path, "it is a directory");
  }
  std::string temporary = path + ".tmp-XXXXXX";
  const int fd = ::mkstemp(temporary.data());
  if (fd < 0) {
    return cannot_write(path,
                        std::string("cannot create a file in its folder: ") + std::strerror(errno));
  }
  ::close(fd);
  ::unlink(temporary.c_str());
  return std::nullopt;
}

} // namespace inspekt
