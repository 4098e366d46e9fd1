#include "metrics/pipeline_metrics.hpp"

#ifndef CALLSCRIBE_VERSION
#define CALLSCRIBE_VERSION "unknown"
#endif
#ifndef CALLSCRIBE_COMMIT
#define CALLSCRIBE_COMMIT "unknown"
#endif

namespace callscribe::metrics {
namespace {

// From a millisecond (an extraction) to half an hour (a long recording on a
// busy CPU).
const std::vector<double> stage_bounds{0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1,   2.5,
                                       5,     10,    30,   60,   120, 300,  900, 1800};
const std::vector<double> rtf_bounds{0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 4};

constexpr const char* stage_help = "Seconds a job spent in each stage (end_to_end: webhook to lead written)";
constexpr const char* webhook_help = "Twilio webhook requests answered, by route and HTTP status";
constexpr const char* restarts_help = "Actors restarted by the supervisor after a failure, by actor";

} // namespace

pipeline_metrics::pipeline_metrics()
    : download_retries_(
          reg_.make_counter("callscribe_download_retries_total",
                            "Recording downloads put back for a later try (not ready or failed)")),
      jobs_done_(reg_.make_counter("callscribe_jobs_finished_total",
                                   "Jobs finished by this process, by result", {{"result", "done"}})),
      jobs_dead_(reg_.make_counter("callscribe_jobs_finished_total", "", {{"result", "dead"}})),
      transcriber_busy_(reg_.make_real_counter("callscribe_transcriber_busy_seconds_total",
                                               "Seconds the speech engine spent transcribing")),
      rtf_(reg_.make_histogram("callscribe_speech_real_time_factor",
                               "Transcription time divided by audio length, per recording", rtf_bounds)),
      trace_written_(reg_.make_counter("callscribe_trace_events_written_total", "Trace events stored")),
      trace_dropped_(reg_.make_counter("callscribe_trace_events_dropped_total",
                                       "Trace events dropped because the tracer's buffer was full")) {
  reg_.make_gauge("callscribe_transcriber_busy_ratio",
                  "Share of this process's uptime the speech engine was busy", [this] {
                    double up =
                        std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
                    return up > 0 ? transcriber_busy_.value() / up : 0.0;
                  });
  reg_.make_gauge("callscribe_speech_engine_ready",
                  "1 when the transcriber has its speech engine (model loaded) and takes work",
                  [this] { return engine_ready_.load() ? 1.0 : 0.0; });
  reg_.make_gauge("callscribe_build_info", "Version and commit of this binary; always 1", [] { return 1.0; },
                  {{"version", version()}, {"commit", commit()}});
  reg_.make_gauge("callscribe_uptime_seconds", "Seconds since this process started", [this] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  });
  for (const char* s : {"download", "transcribe", "extract", "write", "end_to_end"})
    reg_.make_histogram("callscribe_stage_duration_seconds", stage_help, stage_bounds, {{"stage", s}});
  for (const char* a : {"webhook", "downloader", "transcriber", "extractor", "lead_writer", "tracer"})
    reg_.make_counter("callscribe_actor_restarts_total", restarts_help, {{"actor", a}});
  for (const char* r : {"/twilio/recording-status", "/twilio/call-status", "/twilio/voice"})
    reg_.make_counter("callscribe_webhook_requests_total", webhook_help, {{"route", r}, {"status", "200"}});
}

void pipeline_metrics::stage_took(const std::string& stage, double seconds) {
  reg_.make_histogram("callscribe_stage_duration_seconds", stage_help, stage_bounds, {{"stage", stage}})
      .observe(seconds);
}

void pipeline_metrics::webhook_answered(const std::string& route, int status) {
  reg_.make_counter("callscribe_webhook_requests_total", webhook_help,
                    {{"route", route}, {"status", std::to_string(status)}})
      .add();
}

void pipeline_metrics::actor_restarted(const std::string& actor) {
  reg_.make_counter("callscribe_actor_restarts_total", restarts_help, {{"actor", actor}}).add();
}

void pipeline_metrics::transcribed(double busy_seconds, double real_time_factor) {
  transcriber_busy_.add(busy_seconds);
  rtf_.observe(real_time_factor);
}

pipeline_metrics& process() {
  static pipeline_metrics m;
  return m;
}

const char* version() {
  return CALLSCRIBE_VERSION;
}

const char* commit() {
  return CALLSCRIBE_COMMIT;
}

} // namespace callscribe::metrics
