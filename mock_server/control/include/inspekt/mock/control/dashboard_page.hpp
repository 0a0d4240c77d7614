#pragma once
// The dashboard (docs/dashboard.md): one self-contained HTML page, its CSS and JS
// inline, embedded at build time and served by the admin API at /__admin/ and
// /__admin/ui. It holds no data: it shows what the admin API answers, polling it.

#include <string>
#include <string_view>

namespace inspekt::mock {

struct DashboardPage {
  std::string_view html;
  // default-src 'none', with the page's own <script> and <style> elements allowed by
  // their SHA-256 (CSP Level 3, "hash-source"), and fetches only to the mock itself.
  std::string content_security_policy;
};

// Built once, on first use.
const DashboardPage &dashboard_page();

namespace detail {
// The CSP for `html`: a 'sha256-...' source for the text of each <script> and <style>
// element (written without attributes, as the page writes them).
std::string content_security_policy_for(std::string_view html);
} // namespace detail

} // namespace inspekt::mock
