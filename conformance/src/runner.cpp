#include "runner.hpp"

#include "live_set.hpp"
#include "tls_probe.hpp"

#include "inspekt/client/base_url.hpp"

namespace inspekt::conformance {

std::string reason_to_skip(Target &target, const ConformanceCase &test_case) {
  if (test_case.mock_only() && target.live() && !in_live_set(test_case)) {
    return "refused: mock-only cases never run against a live target";
  }
  if (test_case.reach == Reach::inspekt_mock && !target.is_inspekt_mock()) {
    return "the mock's own feature, which no other server promises: the target is not "
           "inspekt-mock (GET /__admin/health does not answer as the mock's does)";
  }
  for (const auto &id : test_case.requests) {
    for (const KeyKind *kind : kinds_named(request_spec(id).body)) {
      if (!target.has_key(*kind)) {
        return kind->when_missing;
      }
    }
  }
  return {};
}

std::optional<Unreachable> first_contact(Target &target,
                                         const std::vector<const ConformanceCase *> &cases) {
  for (const ConformanceCase *test_case : cases) {
    if (!reason_to_skip(target, *test_case).empty()) {
      continue;
    }
    const auto &answers = target.answers(request_spec(test_case->requests.front()));
    if (answers.transport_error.empty()) {
      return std::nullopt; // answered: the cases will say how
    }
    if (answers.connected) {
      if (answers.transport_error.find("(read timeout)") != std::string::npos) {
        // Reached, and silent: every case would wait out the read timeout in turn (a
        // server that accepts and never answers takes minutes to say nothing).
        return Unreachable{"target.silent", "request " + test_case->requests.front() + ": " +
                                                answers.transport_error +
                                                "; the target accepted the connection and answered "
                                                "nothing"};
      }
      // Reached, and no HTTP answer: plain HTTP sent to an HTTPS port gets a TLS alert or
      // a reset, and every case would fail on it. Otherwise the cases say what broke.
      const auto url = parse_base_url(target.base_url());
      if (url && url.url->scheme == UrlScheme::http &&
          speaks_tls(url.url->host, url.url->port, std::chrono::seconds(5))) {
        BaseUrl https = *url.url;
        https.scheme = UrlScheme::https;
        return Unreachable{"target.wrong-scheme",
                           "that port speaks TLS (HTTPS), not plain HTTP: use --base-url " +
                               https.to_string()};
      }
      return std::nullopt;
    }
    const bool tls = answers.transport_error.rfind("TLS certificate", 0) == 0;
    return Unreachable{tls ? "target.untrusted" : "target.unreachable", answers.transport_error};
  }
  return std::nullopt;
}

void run_case(Target &target, const ConformanceCase &test_case, Results &results) {
  const auto start = std::chrono::steady_clock::now();
  const auto record = [&](Verdict verdict, std::string observed,
                          std::optional<Level> failed_at = std::nullopt) {
    results.record(test_case, verdict, std::move(observed),
                   std::chrono::duration_cast<std::chrono::microseconds>(
                       std::chrono::steady_clock::now() - start),
                   failed_at);
  };
  if (const auto why = reason_to_skip(target, test_case); !why.empty()) {
    return record(Verdict::skip, why);
  }
  Observation seen;
  for (const auto &[kind, key] : target.keys().by_kind) {
    if (!key.empty()) {
      seen.keys.push_back(key);
    }
  }
  std::string problem;
  for (const auto &id : test_case.requests) {
    const auto &answers = target.answers(request_spec(id));
    if (!answers.not_sent.empty()) {
      return record(Verdict::skip, answers.not_sent);
    }
    if (!answers.transport_error.empty() && test_case.expects == Expects::answer) {
      problem = "request " + id + ": " + answers.transport_error;
      break;
    }
    seen.transport_errors.push_back(answers.transport_error);
    std::vector<const Exchange *> exchanges;
    for (const auto &exchange : answers.exchanges) {
      exchanges.push_back(&exchange);
    }
    seen.answers.push_back(std::move(exchanges));
  }
  CheckResult result{false, problem};
  if (problem.empty()) {
    try {
      result = test_case.check(seen);
    } catch (const std::exception &e) {
      // A check that throws is a defect of the suite, and reads as a failure, not a pass.
      result = {false, std::string("the check itself failed: ") + e.what()};
    }
  }
  const std::string observed = target.redact(result.observed);
  if (test_case.level == Level::info) {
    record(Verdict::info, observed);
  } else {
    record(result.pass ? Verdict::pass : Verdict::fail, observed, result.failed_at);
  }
}

} // namespace inspekt::conformance
