#include "model_cases.hpp"

#include "oracle.hpp"

#include <algorithm>
#include <memory>

namespace inspekt::conformance::model {
namespace {

std::string slug(const std::string &name) {
  std::string out;
  for (const char c : name) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    const char lowered = c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
    out += keep || (lowered >= 'a' && lowered <= 'z') ? lowered : '-';
    if (out.size() >= 2 && out.back() == '-' && out[out.size() - 2] == '-') {
      out.pop_back();
    }
  }
  return out;
}

// "model-key-prefix": the dimension's member, or the dimension, then the value (a
// member's types and texts have no name in common).
std::string case_id_of(const ModelClass &c) {
  const std::string dim(dimension(c.dim).name);
  return "model-" + slug(dim.substr(0, dim.find('.')) + "-" +
                         std::string(dimension(c.dim).values.at(c.value)));
}

// The request id: the first class whose covering point it is.
std::string request_id_of(const Point &point) {
  for (const auto &c : model_classes()) {
    if (covering_point(c) == point) {
      return "model:" + c.name();
    }
  }
  return "model:" + describe(point);
}

Level case_level(const Expectation &e) {
  return e.lenient.empty() && e.level == Level::must ? Level::must : Level::should;
}

std::string statuses(const Expectation &e) {
  std::string out = std::to_string(e.status);
  for (const int s : e.tolerated) {
    out += " or " + std::to_string(s);
  }
  return out;
}

} // namespace

Point covering_point(const ModelClass &c) {
  Point p = valid_login();
  const auto d = static_cast<std::uint8_t>(c.dim);
  if (d >= static_cast<std::uint8_t>(Dim::key_type)) {
    const auto role = static_cast<Role>((d - static_cast<std::uint8_t>(Dim::key_type)) / 2);
    const bool is_text = (d - static_cast<std::uint8_t>(Dim::key_type)) % 2 == 1;
    if (is_text) {
      p[type_dim(role)] = static_cast<std::uint8_t>(JsonType::string);
    } else if (role != Role::key) {
      p[text_dim(role)] = static_cast<std::uint8_t>(Text::plain);
    }
  }
  p[c.dim] = c.value;
  return p;
}

std::vector<RequestSpec> model_request_specs() {
  std::vector<RequestSpec> out;
  for (const auto &c : model_classes()) {
    const Point p = covering_point(c);
    const std::string id = request_id_of(p);
    if (std::any_of(out.begin(), out.end(), [&](const RequestSpec &s) { return s.id == id; })) {
      continue;
    }
    RequestSpec spec;
    spec.id = id;
    spec.reach = Reach::mock_only;
    spec.point = std::make_shared<const Point>(p);
    // What reports and drift show: the request with placeholders for keys.
    const auto shown = render_shown(p);
    spec.method = shown.method;
    spec.body = shown.body;
    out.push_back(std::move(spec));
  }
  return out;
}

std::vector<ConformanceCase> model_cases() {
  std::vector<ConformanceCase> out;
  for (const auto &c : model_classes()) {
    const Point p = covering_point(c);
    const Expectation e = expect(p);
    const Level level = case_level(e);
    ConformanceCase made{
        case_id_of(c),
        c.name() + ": " + describe(p) + " gets " + statuses(e),
        std::string(e.spec),
        level,
        Reach::mock_only,
        {request_id_of(p)},
        [p, e, level](const Observation &seen) {
          const auto j = judge(e, p, seen.first());
          if (j.pass || (level == Level::must && j.level != Level::must)) {
            return CheckResult{true, j.pass ? j.observed : j.observed + " (a SHOULD matter)"};
          }
          return CheckResult{false, j.observed};
        }};
    made.origin = Origin::model;
    out.push_back(std::move(made));
  }
  return out;
}

std::vector<Coverage> coverage(const std::vector<ConformanceCase> &cases) {
  std::vector<Coverage> out;
  for (const auto &c : model_classes()) {
    Coverage row{c, ""};
    for (const auto &test_case : cases) {
      for (const auto &id : test_case.requests) {
        const auto &spec = request_spec(id);
        if (spec.point && in_class(*spec.point, c)) {
          row.case_id = test_case.id;
          break;
        }
      }
      if (!row.case_id.empty()) {
        break;
      }
    }
    out.push_back(std::move(row));
  }
  return out;
}

} // namespace inspekt::conformance::model
