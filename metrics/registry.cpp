// Prometheus text exposition, hand-written: a few dozen lines do what a
// client library would, and Debian has no C++ Prometheus client.
#include "metrics/registry.hpp"

#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace callscribe::metrics {

void real_counter::add(double x) {
  std::lock_guard lock(mutex_);
  value_ += x;
}

double real_counter::value() const {
  std::lock_guard lock(mutex_);
  return value_;
}

histogram::histogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds)), counts_(bounds_.size() + 1, 0) {}

void histogram::observe(double x) {
  std::size_t i = 0;
  while (i < bounds_.size() && x > bounds_[i])
    ++i;
  std::lock_guard lock(mutex_);
  ++counts_[i];
  sum_ += x;
}

histogram::snapshot histogram::read() const {
  snapshot s;
  s.upper_bounds = bounds_;
  std::lock_guard lock(mutex_);
  std::uint64_t running = 0;
  for (auto n : counts_) {
    running += n;
    s.cumulative.push_back(running);
  }
  s.sum = sum_;
  s.count = running;
  return s;
}

std::string format_value(double v) {
  if (std::isnan(v))
    return "NaN";
  if (std::isinf(v))
    return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  if (v == std::floor(v) && std::fabs(v) < 1e15)
    std::snprintf(buf, sizeof buf, "%.0f", v);
  else
    std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

namespace {

// Backslash and newline are escaped everywhere; a quote only in a label
// value (HELP text may hold one as it is).
std::string escaped(const std::string& v, bool quote = true) {
  std::string out;
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"' && quote)
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

} // namespace

std::string sample_line(const std::string& name, const labels& l, double value) {
  std::string out = name;
  if (!l.empty()) {
    out += '{';
    for (std::size_t i = 0; i < l.size(); ++i) {
      if (i)
        out += ',';
      out += l[i].first + "=\"" + escaped(l[i].second) + '"';
    }
    out += '}';
  }
  out += ' ';
  out += format_value(value);
  out += '\n';
  return out;
}

registry::series& registry::find_or_add(const std::string& name, const std::string& help, const char* type,
                                        const labels& l, bool* added) {
  family* f = nullptr;
  for (auto& x : families_)
    if (x->name == name)
      f = x.get();
  if (!f) {
    families_.push_back(std::make_unique<family>(family{name, help, type, {}}));
    f = families_.back().get();
  } else if (f->type != type) {
    throw std::logic_error("metric " + name + " declared as " + f->type + " and " + type);
  }
  for (auto& s : f->members)
    if (s->l == l) {
      *added = false;
      return *s;
    }
  f->members.push_back(std::make_unique<series>());
  f->members.back()->l = l;
  *added = true;
  return *f->members.back();
}

counter& registry::make_counter(const std::string& name, const std::string& help, const labels& l) {
  std::lock_guard lock(mutex_);
  bool added = false;
  auto& s = find_or_add(name, help, "counter", l, &added);
  if (!s.c)
    s.c = std::make_unique<counter>();
  return *s.c;
}

real_counter& registry::make_real_counter(const std::string& name, const std::string& help, const labels& l) {
  std::lock_guard lock(mutex_);
  bool added = false;
  auto& s = find_or_add(name, help, "counter", l, &added);
  if (!s.rc)
    s.rc = std::make_unique<real_counter>();
  return *s.rc;
}

histogram& registry::make_histogram(const std::string& name, const std::string& help,
                                    const std::vector<double>& bounds, const labels& l) {
  std::lock_guard lock(mutex_);
  bool added = false;
  auto& s = find_or_add(name, help, "histogram", l, &added);
  if (!s.h)
    s.h = std::make_unique<histogram>(bounds);
  return *s.h;
}

void registry::make_gauge(const std::string& name, const std::string& help, std::function<double()> read,
                          const labels& l) {
  std::lock_guard lock(mutex_);
  bool added = false;
  auto& s = find_or_add(name, help, "gauge", l, &added);
  s.g = std::move(read);
}

std::string registry::render() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& f : families_) {
    out += "# HELP " + f->name + ' ' + escaped(f->help, false) + '\n';
    out += "# TYPE " + f->name + ' ' + f->type + '\n';
    for (const auto& s : f->members) {
      if (s->c) {
        out += sample_line(f->name, s->l, static_cast<double>(s->c->value()));
      } else if (s->rc) {
        out += sample_line(f->name, s->l, s->rc->value());
      } else if (s->g) {
        out += sample_line(f->name, s->l, s->g());
      } else if (s->h) {
        auto snap = s->h->read();
        for (std::size_t i = 0; i <= snap.upper_bounds.size(); ++i) {
          auto l = s->l;
          l.emplace_back("le", i < snap.upper_bounds.size() ? format_value(snap.upper_bounds[i]) : "+Inf");
          out += sample_line(f->name + "_bucket", l, static_cast<double>(snap.cumulative[i]));
        }
        out += sample_line(f->name + "_sum", s->l, snap.sum);
        out += sample_line(f->name + "_count", s->l, static_cast<double>(snap.count));
      }
    }
  }
  return out;
}

} // namespace callscribe::metrics
