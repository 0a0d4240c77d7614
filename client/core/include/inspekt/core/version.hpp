#pragma once
// The project's one version, from project(VERSION) in the top-level CMakeLists.txt:
// every program's --version, the admin API's health answer and the client's User-Agent.

#include <string_view>

namespace inspekt {

std::string_view version();

} // namespace inspekt
