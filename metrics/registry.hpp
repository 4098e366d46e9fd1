// The process's metrics, rendered in Prometheus' text format (version 0.0.4).
// Plain C++: actors, routes and engines count into it; GET /metrics renders
// it. Every series is declared once, up front, so a scrape shows it at zero
// before anything has happened (a rate() needs the zero).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace callscribe::metrics {

// Label pairs in the order they are printed: {{"stage", "download"}}.
using labels = std::vector<std::pair<std::string, std::string>>;

class counter {
public:
  void add(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

private:
  std::atomic<std::uint64_t> value_{0};
};

// A counter of seconds (or another real unit): summed under a lock, because
// it moves a few times per job, not per message.
class real_counter {
public:
  void add(double x);
  double value() const;

private:
  mutable std::mutex mutex_;
  double value_ = 0;
};

class histogram {
public:
  explicit histogram(std::vector<double> upper_bounds);
  void observe(double x);
  struct snapshot {
    std::vector<double> upper_bounds;
    std::vector<std::uint64_t> cumulative; // one per bound, then +Inf
    double sum = 0;
    std::uint64_t count = 0;
  };
  snapshot read() const;

private:
  const std::vector<double> bounds_;
  mutable std::mutex mutex_;
  std::vector<std::uint64_t> counts_; // per bucket, not cumulative; last is +Inf
  double sum_ = 0;
};

class registry {
public:
  // Each returns the one series for (name, labels), made on first use; the
  // reference stays valid for the registry's life. A name keeps the help and
  // type it was first declared with.
  counter& make_counter(const std::string& name, const std::string& help, const labels& l = {});
  real_counter& make_real_counter(const std::string& name, const std::string& help, const labels& l = {});
  histogram& make_histogram(const std::string& name, const std::string& help,
                            const std::vector<double>& bounds, const labels& l = {});
  // A gauge read when rendered.
  void make_gauge(const std::string& name, const std::string& help, std::function<double()> read,
                  const labels& l = {});

  // Every family, in the order first declared.
  std::string render() const;

private:
  struct series {
    labels l;
    std::unique_ptr<counter> c;
    std::unique_ptr<real_counter> rc;
    std::unique_ptr<histogram> h;
    std::function<double()> g;
  };
  struct family {
    std::string name, help, type;
    std::vector<std::unique_ptr<series>> members;
  };
  series& find_or_add(const std::string& name, const std::string& help, const char* type, const labels& l,
                      bool* added);
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<family>> families_;
};

// Formats one sample line: name{a="b"} value. Label values are escaped
// (backslash, quote, newline) as the format asks.
std::string sample_line(const std::string& name, const labels& l, double value);

// Renders a value the way Prometheus reads it: integers without a fraction,
// +Inf, NaN.
std::string format_value(double v);

} // namespace callscribe::metrics
