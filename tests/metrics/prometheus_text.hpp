// A strict reader of Prometheus' text exposition format (0.0.4), for tests:
// what a scraper would refuse, it reports; what it would store, it returns.
// Written from the format's description, independent of metrics/registry.cpp.
#pragma once

#include <cmath>
#include <cstdlib>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace callscribe::testing {

struct prometheus_page {
  // "name{a=\"b\",c=\"d\"}" (labels sorted by name) → value
  std::map<std::string, double> samples;
  std::map<std::string, std::string> types; // family → counter, gauge, histogram, ...
  std::vector<std::string> errors;          // empty: the page is valid

  double value(const std::string& key, double otherwise = NAN) const {
    auto it = samples.find(key);
    return it == samples.end() ? otherwise : it->second;
  }
};

namespace detail {

inline bool parse_value(const std::string& s, double* out) {
  if (s == "+Inf" || s == "Inf") {
    *out = INFINITY;
    return true;
  }
  if (s == "-Inf") {
    *out = -INFINITY;
    return true;
  }
  if (s == "NaN") {
    *out = NAN;
    return true;
  }
  char* end = nullptr;
  *out = std::strtod(s.c_str(), &end);
  return !s.empty() && end == s.c_str() + s.size();
}

// The family a sample belongs to: histogram samples end in _bucket, _sum, _count.
inline std::string family_of(const std::string& name, const std::map<std::string, std::string>& types) {
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    std::string sfx = suffix;
    if (name.size() > sfx.size() && name.compare(name.size() - sfx.size(), sfx.size(), sfx) == 0) {
      auto base = name.substr(0, name.size() - sfx.size());
      auto it = types.find(base);
      if (it != types.end() && (it->second == "histogram" || it->second == "summary"))
        return base;
    }
  }
  return name;
}

} // namespace detail

inline prometheus_page parse_prometheus(const std::string& text) {
  prometheus_page page;
  static const std::regex name_re("[a-zA-Z_:][a-zA-Z0-9_:]*");
  static const std::regex label_name_re("[a-zA-Z_][a-zA-Z0-9_]*");
  std::set<std::string> families_done; // families whose samples have ended
  std::string current_family;
  std::istringstream in(text);
  std::string line;
  int n = 0;
  auto error = [&](const std::string& what) {
    page.errors.push_back("line " + std::to_string(n) + ": " + what);
  };
  if (!text.empty() && text.back() != '\n')
    page.errors.push_back("the page does not end with a newline");
  while (std::getline(in, line)) {
    ++n;
    if (line.empty())
      continue;
    if (line[0] == '#') {
      std::istringstream words(line.substr(1));
      std::string keyword, name;
      words >> keyword >> name;
      if (keyword == "TYPE") {
        std::string type;
        words >> type;
        if (!std::regex_match(name, name_re))
          error("bad metric name in TYPE: " + name);
        if (type != "counter" && type != "gauge" && type != "histogram" && type != "summary" &&
            type != "untyped")
          error("unknown type " + type);
        if (page.types.count(name))
          error("second TYPE line for " + name);
        if (families_done.count(name) || current_family == name)
          error("TYPE for " + name + " after its samples");
        page.types[name] = type;
      } else if (keyword == "HELP") {
        if (!std::regex_match(name, name_re))
          error("bad metric name in HELP: " + name);
      }
      continue;
    }
    // name{labels} value [timestamp]
    std::size_t i = 0;
    while (i < line.size() && line[i] != '{' && line[i] != ' ')
      ++i;
    std::string name = line.substr(0, i);
    if (!std::regex_match(name, name_re)) {
      error("bad metric name: " + name);
      continue;
    }
    std::map<std::string, std::string> labels;
    if (i < line.size() && line[i] == '{') {
      ++i;
      while (i < line.size() && line[i] != '}') {
        auto eq = line.find('=', i);
        if (eq == std::string::npos) {
          error("label without =");
          break;
        }
        std::string lname = line.substr(i, eq - i);
        if (!std::regex_match(lname, label_name_re))
          error("bad label name: " + lname);
        i = eq + 1;
        if (i >= line.size() || line[i] != '"') {
          error("label value not quoted");
          break;
        }
        ++i;
        std::string value;
        bool closed = false;
        while (i < line.size()) {
          char c = line[i++];
          if (c == '\\') {
            if (i >= line.size()) {
              error("dangling backslash");
              break;
            }
            char e = line[i++];
            if (e == 'n')
              value += '\n';
            else if (e == '\\' || e == '"')
              value += e;
            else
              error(std::string("bad escape \\") + e);
          } else if (c == '"') {
            closed = true;
            break;
          } else {
            value += c;
          }
        }
        if (!closed)
          error("unterminated label value");
        if (labels.count(lname))
          error("label " + lname + " twice");
        labels[lname] = value;
        if (i < line.size() && line[i] == ',')
          ++i;
      }
      if (i >= line.size() || line[i] != '}') {
        error("labels not closed");
        continue;
      }
      ++i;
    }
    if (i >= line.size() || line[i] != ' ') {
      error("no value");
      continue;
    }
    std::istringstream rest(line.substr(i + 1));
    std::string value_text, timestamp;
    rest >> value_text >> timestamp;
    double v = 0;
    if (!detail::parse_value(value_text, &v))
      error("bad value: " + value_text);
    auto family = detail::family_of(name, page.types);
    if (family != current_family) {
      if (families_done.count(family))
        error("samples of " + family + " are not together");
      if (!current_family.empty())
        families_done.insert(current_family);
      current_family = family;
    }
    std::string key = name;
    if (!labels.empty()) {
      key += '{';
      bool first = true;
      for (const auto& [k, val] : labels) {
        key += (first ? "" : ",") + k + "=\"" + val + '"';
        first = false;
      }
      key += '}';
    }
    if (page.samples.count(key))
      error("sample twice: " + key);
    page.samples[key] = v;
  }
  // Conventions a scraper relies on: counters count up from zero and end in
  // _total; a histogram's buckets are cumulative and its +Inf bucket is its count.
  for (const auto& [family, type] : page.types) {
    if (type == "counter") {
      if (family.size() < 6 || family.compare(family.size() - 6, 6, "_total") != 0)
        page.errors.push_back("counter " + family + " does not end in _total");
      for (const auto& [key, v] : page.samples)
        if (key.rfind(family, 0) == 0 && (key.size() == family.size() || key[family.size()] == '{') &&
            !(v >= 0))
          page.errors.push_back("counter " + key + " is negative");
    }
  }
  for (const auto& [key, v] : page.samples) {
    auto brace = key.find('{');
    auto name = key.substr(0, brace);
    if (name.size() < 7 || name.compare(name.size() - 7, 7, "_bucket") != 0)
      continue;
    auto family = name.substr(0, name.size() - 7);
    if (!page.types.count(family) || page.types.at(family) != "histogram")
      continue;
    auto le_at = key.find("le=\"");
    if (le_at == std::string::npos) {
      page.errors.push_back(key + " has no le label");
      continue;
    }
    // Other labels of this series, to find its _count.
    std::string others = key.substr(brace + 1, key.size() - brace - 2);
    auto le_end = key.find('"', le_at + 4);
    std::string le = key.substr(le_at + 4, le_end - le_at - 4);
    std::string without_le = others;
    auto pos = without_le.find("le=\"" + le + "\"");
    without_le.erase(pos, 5 + le.size() + 1);
    if (!without_le.empty() && without_le.front() == ',')
      without_le.erase(0, 1);
    if (!without_le.empty() && without_le.back() == ',')
      without_le.pop_back();
    auto series = without_le.empty() ? "" : "{" + without_le + "}";
    auto count = page.value(family + "_count" + series);
    if (std::isnan(count))
      page.errors.push_back(family + series + " has buckets but no _count");
    else if (le == "+Inf" && v != count)
      page.errors.push_back(family + series + ": +Inf bucket " + std::to_string(v) + " != count " +
                            std::to_string(count));
    else if (v > count)
      page.errors.push_back(key + " exceeds the count");
  }
  return page;
}

} // namespace callscribe::testing
