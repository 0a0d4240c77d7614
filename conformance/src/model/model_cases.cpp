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

bool same_expectation(const Expectation &a, const Expectation &b) {
  return a.status == b.status && a.tolerated == b.tolerated && a.lenient == b.lenient &&
         a.level == b.level;
}

bool passes(const Expectation &e, int status) {
  return e.status == status ||
         std::find(e.tolerated.begin(), e.tolerated.end(), status) != e.tolerated.end() ||
         std::find(e.lenient.begin(), e.lenient.end(), status) != e.lenient.end();
}

std::vector<Probe> make_probes() {
  const auto &classes = model_classes();
  // Riders: the classes (past the method, which a live run sends as POST only) whose
  // covering point is a valid login answered 200 and nothing else.
  std::vector<ModelClass> riders;
  for (const auto &c : classes) {
    const Point p = covering_point(c);
    if (c.dim == Dim::method || p == valid_login()) {
      continue;
    }
    const Expectation e = expect(p);
    if (e.status == 200 && e.tolerated.empty() && e.lenient.empty() && e.level == Level::must) {
      riders.push_back(c);
    }
  }
  std::vector<bool> ridden(riders.size(), false);
  const auto is_rider = [&](const ModelClass &c) {
    return std::any_of(riders.begin(), riders.end(),
                       [&](const ModelClass &r) { return r.dim == c.dim && r.value == c.value; });
  };
  // Adds riders to the point of `base` while they change nothing it expects.
  const auto ride = [&](const ModelClass &base, Point p) {
    const Expectation expected = expect(p);
    for (std::size_t i = 0; i < riders.size(); ++i) {
      const ModelClass &r = riders[i];
      // The dimensions the rider sets: a member's type and text together.
      std::vector<Dim> dims{r.dim};
      for (const Role role : roles) {
        if (r.dim == type_dim(role) || r.dim == text_dim(role)) {
          dims = {type_dim(role), text_dim(role)};
        }
      }
      const Point alone = covering_point(r);
      Point q = p;
      bool free = !ridden[i];
      for (const Dim d : dims) {
        free = free && p[d] == valid_login()[d]; // one rider per dimension, and per member
        q[d] = alone[d];
      }
      if (free && same_expectation(expect(q), expected) && carries_class(q, r) &&
          carries_class(q, base)) {
        p = q;
      }
      for (std::size_t j = 0; j < riders.size(); ++j) {
        ridden[j] = ridden[j] || carries_class(p, riders[j]);
      }
    }
    return Probe{base, p};
  };
  std::vector<Probe> out;
  // First the classes answered 401, or 200 with an answer besides (411 for chunked), that
  // tolerate no 400; then valid logins until every rider has ridden.
  for (const auto &c : classes) {
    if (c.dim == Dim::method || is_rider(c)) {
      continue;
    }
    const Point p = covering_point(c);
    const Expectation e = expect(p);
    if (p == valid_login() || (e.status != 401 && e.status != 200) || passes(e, 400) ||
        !e.lenient.empty() || e.level != Level::must) {
      continue;
    }
    out.push_back(ride(c, p));
  }
  for (std::size_t i = 0; i < riders.size(); ++i) {
    if (!ridden[i]) {
      const Point alone = covering_point(riders[i]);
      auto probe = ride(riders[i], alone);
      if (!(probe.point == alone)) { // alone, its own case sends it already
        out.push_back(std::move(probe));
      }
    }
  }
  return out;
}

} // namespace

const std::vector<Probe> &probes() {
  static const std::vector<Probe> made = make_probes();
  return made;
}

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

namespace {

// Every point the fixed cases send: each class's covering point, then the probes.
std::vector<std::pair<std::string, Point>> case_points() {
  std::vector<std::pair<std::string, Point>> out;
  for (const auto &c : model_classes()) {
    out.emplace_back(case_id_of(c), covering_point(c));
  }
  for (const auto &probe : probes()) {
    // "probe-key-prefix": named for the class it starts from.
    out.emplace_back("probe-" + case_id_of(probe.decides).substr(6), probe.point);
  }
  return out;
}

} // namespace

std::vector<RequestSpec> model_request_specs() {
  std::vector<RequestSpec> out;
  for (const auto &[case_id, p] : case_points()) {
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
  const auto &classes = model_classes();
  std::size_t n = 0;
  for (const auto &[case_id, p] : case_points()) {
    const Expectation e = expect(p);
    const Level level = case_level(e);
    const std::string what = n < classes.size() ? classes[n].name() + ": " : std::string("probe: ");
    ++n;
    ConformanceCase made{
        case_id,
        what + describe(p) + " gets " + statuses(e),
        std::string(e.spec),
        level,
        Reach::mock_only,
        {request_id_of(p)},
        [p = p, e, level](const Observation &seen) {
          const auto j = judge(e, p, seen.first());
          if (j.pass || (level == Level::must && j.level != Level::must)) {
            return CheckResult{true, j.pass ? j.observed : j.observed + " (a SHOULD matter)"};
          }
          // A SHOULD case's failure the page allows nowhere (a 5xx, a 200 without the
          // login's fields) counts as MUST.
          return CheckResult{false, j.observed, j.level};
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
      const auto with = [&](bool (*relation)(const Point &, const ModelClass &)) {
        return std::any_of(test_case.requests.begin(), test_case.requests.end(),
                           [&](const std::string &id) {
                             const auto &spec = request_spec(id);
                             return spec.point && relation(*spec.point, c);
                           });
      };
      if (row.case_id.empty() && with(in_class)) {
        row.case_id = test_case.id;
      }
      if (with(carries_class)) {
        row.cases_in_class.push_back(test_case.id);
      }
    }
    out.push_back(std::move(row));
  }
  return out;
}

} // namespace inspekt::conformance::model
