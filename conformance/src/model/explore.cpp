#include "explore.hpp"

#include <algorithm>
#include <set>
#include <tuple>

namespace inspekt::conformance::model {
namespace {

// What makes two failures the same: the level, what was expected and what came.
using Signature = std::tuple<int, int, int, std::string>;

Signature signature_of(const Judgement &j, const Expectation &e, int status) {
  return {static_cast<int>(j.level), e.status, status, j.observed.substr(0, j.observed.find(','))};
}

} // namespace

Point random_point(std::mt19937_64 &random) {
  Point p = valid_login();
  std::bernoulli_distribution keep(0.5);
  for (const auto &d : dimensions()) {
    if (keep(random)) {
      continue;
    }
    std::uniform_int_distribution<std::size_t> pick(0, d.used.size() - 1);
    p[d.dim] = d.used[pick(random)];
  }
  // A member given a type keeps a text that means something for it.
  for (const Role role : roles) {
    const auto &used = dimension(text_dim(role)).used;
    if (std::find(used.begin(), used.end(), p[text_dim(role)]) == used.end()) {
      p[text_dim(role)] = used.front();
    }
  }
  return p;
}

Point shrink(Point p, const std::function<bool(const Point &)> &fails, int &tries) {
  const auto attempt = [&](const Point &candidate) {
    if (candidate == p) {
      return false;
    }
    ++tries;
    if (fails(candidate)) {
      p = candidate;
      return true;
    }
    return false;
  };
  for (bool changed = true; changed;) {
    changed = false;
    // Fewer members: the extra one, then client_id, then the key itself.
    for (auto role = roles.rbegin(); role != roles.rend(); ++role) {
      Point fewer = p;
      fewer.set(*role, {JsonType::absent, Text::plain});
      changed = attempt(fewer) || changed;
    }
    // Simpler values, dimension by dimension: a lower value is a plainer one (the
    // tables list Content-Length before chunked, an object before an array, a plain
    // text before a long one).
    for (const auto &d : dimensions()) {
      for (const auto value : d.used) {
        if (value >= p[d.dim]) {
          continue;
        }
        Point simpler = p;
        simpler[d.dim] = value;
        if (attempt(simpler)) {
          changed = true;
          break;
        }
      }
    }
    // The key's plainest text is the valid key, not "plain" (an invalid one).
    if (p.member(Role::key).type == JsonType::string &&
        p.member(Role::key).text != Text::valid_key) {
      Point valid = p;
      valid[Dim::key_text] = static_cast<std::uint8_t>(Text::valid_key);
      changed = attempt(valid) || changed;
    }
    // Shorter long texts.
    bool has_long = false;
    for (const Role role : roles) {
      has_long = has_long || (p.member(role).type == JsonType::string &&
                              p.member(role).text == Text::long_text);
    }
    while (has_long && p.long_length > 1) {
      Point shorter = p;
      shorter.long_length = static_cast<std::uint16_t>(p.long_length / 2);
      if (!attempt(shorter)) {
        break;
      }
      changed = true;
    }
  }
  return p;
}

ExploreResult explore(std::uint64_t count, std::uint64_t seed, const Send &send,
                      const std::function<void(std::uint64_t)> &progress,
                      std::size_t max_findings) {
  ExploreResult result;
  std::mt19937_64 random(seed);
  std::set<Signature> seen;
  const auto step = std::max<std::uint64_t>(1, count / 100);
  for (std::uint64_t i = 0; i < count; ++i) {
    if (progress && i % step == 0) {
      progress(i);
    }
    const Point p = random_point(random);
    const Expectation e = expect(p);
    ++result.requests;
    ++result.points;
    const auto answer = send(p);
    if (!answer.exchange) {
      ++result.transport_errors;
      if (result.first_transport_error.empty()) {
        result.first_transport_error = answer.error + " (" + describe(p) + ")";
      }
      continue;
    }
    const Judgement j = judge(e, p, *answer.exchange);
    if (j.pass) {
      continue;
    }
    ++result.disagreements;
    const Signature signature = signature_of(j, e, answer.exchange->status);
    if (seen.count(signature) != 0 || result.findings.size() >= max_findings) {
      continue;
    }
    seen.insert(signature);
    Finding finding;
    finding.found = p;
    const int status = answer.exchange->status;
    const Level level = j.level;
    const auto fails = [&](const Point &candidate) {
      ++result.requests;
      const auto again = send(candidate);
      if (!again.exchange) {
        return false;
      }
      const auto verdict = judge(expect(candidate), candidate, *again.exchange);
      return !verdict.pass && verdict.level == level && again.exchange->status == status;
    };
    finding.shrunk = shrink(p, fails, finding.shrink_requests);
    finding.expected = expect(finding.shrunk);
    const auto last = send(finding.shrunk);
    ++result.requests;
    finding.judgement = last.exchange ? judge(finding.expected, finding.shrunk, *last.exchange) : j;
    result.findings.push_back(std::move(finding));
  }
  if (progress) {
    progress(count);
  }
  return result;
}

} // namespace inspekt::conformance::model
