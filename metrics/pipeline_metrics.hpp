// The series callscribe exports, by name: one place to read what /metrics
// shows and where each number comes from. The job counts by state are not
// here: GET /metrics reads them from the database at scrape time, so every
// node of a shared database shows the same queue.
#pragma once

#include "metrics/registry.hpp"

#include <atomic>
#include <chrono>
#include <string>

namespace callscribe::metrics {

class pipeline_metrics {
public:
  pipeline_metrics();

  // Seconds a job spent in one stage: "download", "transcribe", "extract",
  // "write", or "end_to_end" (webhook to lead written).
  void stage_took(const std::string& stage, double seconds);
  void webhook_answered(const std::string& route, int status);
  void download_retried() { download_retries_.add(); }
  void actor_restarted(const std::string& actor);
  void job_finished(bool done) { (done ? jobs_done_ : jobs_dead_).add(); }
  void transcribed(double busy_seconds, double real_time_factor);
  void trace_written(std::uint64_t n) { trace_written_.add(n); }
  void trace_dropped(std::uint64_t n) { trace_dropped_.add(n); }
  // The transcriber has its speech engine (PocketSphinx's model loaded, or an
  // API engine set up) and takes work; /readyz waits for it.
  void speech_engine_ready(bool ready) { engine_ready_.store(ready); }
  bool speech_engine_ready() const { return engine_ready_.load(); }

  const registry& all() const { return reg_; }
  registry& all() { return reg_; }

private:
  registry reg_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  counter& download_retries_;
  counter& jobs_done_;
  counter& jobs_dead_;
  real_counter& transcriber_busy_;
  histogram& rtf_;
  counter& trace_written_;
  counter& trace_dropped_;
  std::atomic<bool> engine_ready_{false};
};

// The process's one set (a function-local static, made on first use).
pipeline_metrics& process();

// Version and commit as built, for callscribe_build_info.
const char* version();
const char* commit();

} // namespace callscribe::metrics
