// For tests of timeledgerd's metrics endpoint: a GET over a plain socket, and a parser of
// Prometheus's text format (version 0.0.4) written apart from common/metrics.cc on purpose, so
// that a mistake there is not shared here. The parser refuses anything a scraper would: a line
// that is neither "# HELP", "# TYPE", another comment nor "name{labels} value"; an invalid name;
// a sample before its family's TYPE; a histogram whose buckets are not cumulative, do not end in
// le="+Inf", or lack _sum or a _count equal to the +Inf bucket. Header-only.
#ifndef TIMELEDGER_TESTS_SUPPORT_METRICS_TEXT_H_
#define TIMELEDGER_TESTS_SUPPORT_METRICS_TEXT_H_

#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

namespace timeledger::testing {

struct HttpAnswer {
  int status = 0;       // 0: no answer
  std::string headers;  // the status line and headers, as sent
  std::string body;
};

// Sends `method` `target` over HTTP/1.1 to 127.0.0.1:`port` and reads the answer until the
// server closes.
inline HttpAnswer HttpRequest(int port, const std::string& method, const std::string& target) {
  HttpAnswer answer;
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    close(fd);
    return answer;
  }
  const std::string request =
      method + " " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
  if (send(fd, request.data(), request.size(), 0) != static_cast<ssize_t>(request.size())) {
    close(fd);
    return answer;
  }
  std::string raw;
  char buffer[4096];
  for (ssize_t n; (n = recv(fd, buffer, sizeof(buffer), 0)) > 0;) raw.append(buffer, n);
  close(fd);
  const size_t end = raw.find("\r\n\r\n");
  if (end == std::string::npos || raw.rfind("HTTP/1.1 ", 0) != 0) return answer;
  answer.headers = raw.substr(0, end);
  answer.body = raw.substr(end + 4);
  answer.status = std::atoi(raw.c_str() + 9);
  return answer;
}

struct MetricSample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

struct MetricsPage {
  std::map<std::string, std::string> types;  // family -> counter, gauge, histogram, ...
  std::vector<MetricSample> samples;

  // The value of the sample `name` with exactly `labels`, or NaN if there is none.
  double Value(const std::string& name,
               const std::map<std::string, std::string>& labels = {}) const {
    for (const MetricSample& sample : samples) {
      if (sample.name == name && sample.labels == labels) return sample.value;
    }
    return std::nan("");
  }
};

namespace metrics_text_internal {

inline bool IsName(const std::string& name, bool metric) {
  static const std::regex kMetric("[a-zA-Z_:][a-zA-Z0-9_:]*");
  static const std::regex kLabel("[a-zA-Z_][a-zA-Z0-9_]*");
  return std::regex_match(name, metric ? kMetric : kLabel);
}

inline bool ParseValue(const std::string& text, double* value) {
  if (text == "+Inf" || text == "-Inf" || text == "NaN") {
    *value = text == "NaN" ? std::nan("") : (text[0] == '+' ? INFINITY : -INFINITY);
    return true;
  }
  char* end = nullptr;
  *value = std::strtod(text.c_str(), &end);
  return !text.empty() && end == text.c_str() + text.size();
}

// Parses `{a="x",b="y"}` (escapes \\, \" and \n) at text[*at]; advances *at past the '}'.
inline bool ParseLabels(const std::string& text, size_t* at,
                        std::map<std::string, std::string>* labels) {
  size_t i = *at + 1;
  while (i < text.size() && text[i] != '}') {
    const size_t eq = text.find('=', i);
    if (eq == std::string::npos || eq + 1 >= text.size() || text[eq + 1] != '"') return false;
    const std::string name = text.substr(i, eq - i);
    if (!IsName(name, false) || labels->contains(name)) return false;
    std::string value;
    size_t j = eq + 2;
    for (; j < text.size() && text[j] != '"'; ++j) {
      if (text[j] == '\n') return false;
      if (text[j] != '\\') {
        value += text[j];
        continue;
      }
      if (++j >= text.size()) return false;
      if (text[j] == 'n') {
        value += '\n';
      } else if (text[j] == '\\' || text[j] == '"') {
        value += text[j];
      } else {
        return false;
      }
    }
    if (j >= text.size()) return false;
    (*labels)[name] = value;
    i = j + 1;
    if (i < text.size() && text[i] == ',') ++i;
  }
  if (i >= text.size()) return false;
  *at = i + 1;
  return true;
}

// The family a sample belongs to: its own name, or a histogram's for _bucket, _sum and _count.
inline std::string FamilyOf(const std::string& name,
                            const std::map<std::string, std::string>& types) {
  if (types.contains(name)) return name;
  for (const std::string suffix : {"_bucket", "_sum", "_count"}) {
    if (name.size() > suffix.size() && name.ends_with(suffix)) {
      const std::string base = name.substr(0, name.size() - suffix.size());
      auto it = types.find(base);
      if (it != types.end() && it->second == "histogram") return base;
    }
  }
  return "";
}

// "" if each histogram series of `page` is sound, else what is wrong.
inline std::string CheckHistograms(const MetricsPage& page) {
  for (const auto& [family, type] : page.types) {
    if (type != "histogram") continue;
    std::map<std::map<std::string, std::string>, std::vector<std::pair<double, double>>> buckets;
    for (const MetricSample& sample : page.samples) {
      if (sample.name != family + "_bucket") continue;
      auto le = sample.labels.find("le");
      double bound = 0;
      if (le == sample.labels.end() || !ParseValue(le->second, &bound)) return family + ": no le";
      std::map<std::string, std::string> series = sample.labels;
      series.erase("le");
      buckets[series].emplace_back(bound, sample.value);
    }
    if (buckets.empty()) return family + ": a histogram without buckets";
    for (const auto& [series, list] : buckets) {
      for (size_t i = 1; i < list.size(); ++i) {
        if (!(list[i - 1].first < list[i].first)) return family + ": le not ascending";
        if (list[i - 1].second > list[i].second) return family + ": buckets not cumulative";
      }
      if (!std::isinf(list.back().first)) return family + ": buckets do not end in +Inf";
      const double count = page.Value(family + "_count", series);
      if (std::isnan(page.Value(family + "_sum", series))) return family + ": no _sum";
      if (count != list.back().second) return family + ": _count is not the +Inf bucket";
    }
  }
  return "";
}

}  // namespace metrics_text_internal

// Parses `text` into *page. Returns "" if it is valid, else the first line that is not and why.
inline std::string ParseMetricsText(const std::string& text, MetricsPage* page) {
  using namespace metrics_text_internal;
  static const std::set<std::string> kTypes = {"counter", "gauge", "histogram", "summary",
                                               "untyped"};
  if (!text.empty() && text.back() != '\n') return "the text does not end with a newline";
  std::set<std::string> sampled;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    const std::string where = "line \"" + line + "\": ";
    if (line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0) {
      std::istringstream words(line.substr(7));
      std::string name, rest;
      words >> name;
      std::getline(words >> std::ws, rest);
      if (!IsName(name, true)) return where + "invalid name";
      if (line[2] == 'T') {
        if (!kTypes.contains(rest)) return where + "unknown type";
        if (page->types.contains(name) || sampled.contains(name)) return where + "TYPE too late";
        page->types[name] = rest;
      }
      continue;
    }
    if (line.rfind("#", 0) == 0) continue;
    MetricSample sample;
    size_t at = line.find_first_of("{ ");
    if (at == std::string::npos) return where + "no value";
    sample.name = line.substr(0, at);
    if (!IsName(sample.name, true)) return where + "invalid name";
    if (line[at] == '{' && !ParseLabels(line, &at, &sample.labels)) return where + "bad labels";
    if (at >= line.size() || line[at] != ' ') return where + "no space before the value";
    std::istringstream rest(line.substr(at + 1));
    std::string value, timestamp, extra;
    rest >> value >> timestamp >> extra;
    if (!ParseValue(value, &sample.value) || !extra.empty()) return where + "bad value";
    const std::string family = FamilyOf(sample.name, page->types);
    if (family.empty()) return where + "a sample before its family's TYPE";
    sampled.insert(family);
    page->samples.push_back(sample);
  }
  return CheckHistograms(*page);
}

}  // namespace timeledger::testing

#endif  // TIMELEDGER_TESTS_SUPPORT_METRICS_TEXT_H_
