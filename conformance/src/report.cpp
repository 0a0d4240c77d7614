#include "report.hpp"

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <iomanip>
#include <sstream>

namespace inspekt::conformance {
namespace {

constexpr Level levels[] = {Level::must, Level::should, Level::info};

// What a server sent may be any bytes: bytes that are not UTF-8 become U+FFFD, and
// control characters (which XML 1.0 cannot carry) a space.
std::string printable(const std::string &text) {
  std::string out =
      nlohmann::json::parse(
          nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))
          .get<std::string>();
  for (char &c : out) {
    if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') {
      c = ' ';
    }
  }
  return out;
}

std::string xml_escaped(const std::string &text) {
  std::string out;
  for (const char c : printable(text)) {
    switch (c) {
    case '&':
      out += "&amp;";
      break;
    case '<':
      out += "&lt;";
      break;
    case '>':
      out += "&gt;";
      break;
    case '"':
      out += "&quot;";
      break;
    case '\n':
      out += "&#10;";
      break;
    default:
      out += c;
    }
  }
  return out;
}

std::string seconds(std::chrono::microseconds duration) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(3) << static_cast<double>(duration.count()) / 1e6;
  return out.str();
}

std::string utc_timestamp(std::chrono::system_clock::time_point when) {
  const std::time_t time = std::chrono::system_clock::to_time_t(when);
  std::tm utc{};
  ::gmtime_r(&time, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  return text;
}

std::string host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') {
    return "localhost";
  }
  return name;
}

std::string totals_line(const Results &results) {
  std::ostringstream out;
  for (const auto level : levels) {
    out << to_string(level) << ": " << results.count(Verdict::pass, level) << " pass, "
        << results.count(Verdict::fail, level) << " FAIL, " << results.count(Verdict::skip, level)
        << " skip";
    if (level == Level::info) {
      out << ", " << results.count(Verdict::info, level) << " observed\n";
    } else {
      out << "; ";
    }
  }
  return out.str();
}

std::string sent_line(const RunSummary &run) {
  return "target " + run.target + ", " + std::to_string(run.requests_sent) +
         (run.requests_sent == 1 ? " request sent\n" : " requests sent\n");
}

// Drift never fails a run: an aspect that differs, or was not seen, is skipped.
bool drift_skipped_in_junit(const DriftRow &row) {
  return row.verdict != DriftVerdict::same;
}

std::string case_name(const ConformanceCase &test_case) {
  return test_case.id + ": " + test_case.name;
}

} // namespace

std::string console_report(const Results &results, const RunSummary &run, ConsoleStyle style) {
  std::size_t width = 4;
  for (const auto &r : results.cases()) {
    width = std::max(width, r.test_case->id.size());
  }
  std::ostringstream rows;
  for (const auto &r : results.cases()) {
    const bool passed = r.verdict == Verdict::pass || r.verdict == Verdict::info;
    if (style.compact && passed && !style.show_successes) {
      continue;
    }
    std::ostringstream line_start;
    line_start << std::left << std::setw(static_cast<int>(width)) << r.test_case->id << "  "
               << std::setw(6) << to_string(r.level) << "  " << std::setw(7) << to_string(r.verdict)
               << "  ";
    if (style.durations) {
      line_start << std::right << std::setw(7) << std::fixed << std::setprecision(1)
                 << static_cast<double>(r.duration.count()) / 1000.0 << "  " << std::left;
    }
    const bool show = r.verdict != Verdict::pass || style.show_successes;
    std::string line = line_start.str() + (show ? printable(r.observed) : "");
    line.erase(line.find_last_not_of(' ') + 1);
    rows << line << "\n";
  }
  std::ostringstream out;
  if (!rows.str().empty()) {
    out << "\n"
        << std::left << std::setw(static_cast<int>(width)) << "case"
        << "  level   verdict  " << (style.durations ? "     ms  " : "") << "observed\n"
        << rows.str();
  }
  out << "\n" << totals_line(results) << sent_line(run);
  if (run.drift) {
    run.drift->print_table(out);
  }
  return out.str();
}

std::string junit_report(const Results &results, const RunSummary &run) {
  const auto drift_rows = run.drift ? run.drift->rows : std::vector<DriftRow>{};
  const int drift_skipped =
      static_cast<int>(std::count_if(drift_rows.begin(), drift_rows.end(), drift_skipped_in_junit));
  const int tests = static_cast<int>(results.cases().size() + drift_rows.size());
  const int failures = results.count(Verdict::fail);
  const int skipped = results.count(Verdict::skip) + drift_skipped;
  const std::string counts = " tests=\"" + std::to_string(tests) + "\" failures=\"" +
                             std::to_string(failures) + "\" errors=\"0\" skipped=\"" +
                             std::to_string(skipped) + "\" time=\"" + seconds(run.elapsed) + "\"";
  std::ostringstream out;
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      << "<testsuites name=\"inspekt-conformance\"" << counts << ">\n"
      << "  <testsuite name=\"inspekt-conformance\"" << counts << " timestamp=\""
      << utc_timestamp(run.started) << "\" hostname=\"" << xml_escaped(host_name()) << "\">\n"
      << "    <properties>\n"
      << "      <property name=\"target\" value=\"" << xml_escaped(run.target) << "\"/>\n"
      << "      <property name=\"live\" value=\"" << (run.live ? "true" : "false") << "\"/>\n"
      << "      <property name=\"strict\" value=\"" << (run.strict ? "true" : "false") << "\"/>\n"
      << "      <property name=\"requests_sent\" value=\"" << run.requests_sent << "\"/>\n"
      << "    </properties>\n";
  for (const auto &r : results.cases()) {
    const auto &c = *r.test_case;
    const std::string level(to_string(r.level));
    out << "    <testcase classname=\"inspekt-conformance." << level << "\" name=\""
        << xml_escaped(case_name(c)) << "\" time=\"" << seconds(r.duration) << "\"";
    const std::string seen = xml_escaped(r.observed);
    switch (r.verdict) {
    case Verdict::skip:
      out << ">\n      <skipped message=\"" << seen << "\"/>\n";
      break;
    case Verdict::fail:
      out << ">\n      <failure type=\"" << level << "\" message=\"" << level
          << " not met: " << seen << "\">" << level << " not met: " << seen
          << "&#10;spec: " << xml_escaped(c.spec) << "</failure>\n";
      break;
    case Verdict::pass:
    case Verdict::info:
      out << ">\n      <system-out>" << seen << "</system-out>\n";
      break;
    }
    out << "    </testcase>\n";
  }
  for (const auto &row : drift_rows) {
    const std::string text = std::string(to_string(row.verdict)) + ": " + row.aspect +
                             ": fixtures " + row.fixtures + ", target " + row.target;
    out << "    <testcase classname=\"inspekt-conformance.drift\" name=\""
        << xml_escaped("drift " + row.aspect) << "\" time=\"0.000\">\n      "
        << (drift_skipped_in_junit(row) ? "<skipped message=\"" + xml_escaped(text) + "\"/>"
                                        : "<system-out>" + xml_escaped(text) + "</system-out>")
        << "\n    </testcase>\n";
  }
  out << "  </testsuite>\n</testsuites>\n";
  return out.str();
}

std::string xml_report(const Results &results, const RunSummary &run) {
  std::ostringstream out;
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      << "<conformance target=\"" << xml_escaped(run.target) << "\" requests-sent=\""
      << run.requests_sent << "\" live=\"" << (run.live ? "true" : "false") << "\" strict=\""
      << (run.strict ? "true" : "false") << "\">\n";
  for (const auto &r : results.cases()) {
    out << "  <case id=\"" << xml_escaped(r.test_case->id) << "\" level=\"" << to_string(r.level)
        << "\" verdict=\"" << to_string(r.verdict) << "\" mock-only=\""
        << (r.test_case->mock_only() ? "true" : "false") << "\">" << xml_escaped(r.observed)
        << "</case>\n";
  }
  if (run.drift) {
    for (const auto &row : run.drift->rows) {
      out << "  <drift aspect=\"" << xml_escaped(row.aspect) << "\" verdict=\""
          << to_string(row.verdict) << "\" fixtures=\"" << xml_escaped(row.fixtures)
          << "\" target=\"" << xml_escaped(row.target) << "\"/>\n";
    }
  }
  out << "</conformance>\n";
  return out.str();
}

std::string json_report(const Results &results, const RunSummary &run) {
  auto json = results.to_json();
  nlohmann::json totals;
  for (const auto level : levels) {
    auto &entry = totals[std::string(to_string(level))];
    for (const auto verdict : {Verdict::pass, Verdict::fail, Verdict::skip, Verdict::info}) {
      entry[std::string(to_string(verdict))] = results.count(verdict, level);
    }
  }
  json["target"] = run.target;
  json["requests_sent"] = run.requests_sent;
  json["live"] = run.live;
  json["strict"] = run.strict;
  json["totals"] = totals;
  if (run.drift) {
    json["drift"] = run.drift->to_json();
    json["drift_aspects_compared"] = run.drift->rows.size();
  }
  return json.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

} // namespace inspekt::conformance
