// metrics/: the registry renders a page a Prometheus scraper accepts, and
// its numbers are the ones counted.
#define BOOST_TEST_MODULE metrics
#include <boost/test/unit_test.hpp>

#include "metrics/pipeline_metrics.hpp"
#include "metrics/registry.hpp"
#include "tests/metrics/prometheus_text.hpp"

#include <thread>

using namespace callscribe;
using callscribe::testing::parse_prometheus;

namespace {

std::string errors_of(const callscribe::testing::prometheus_page& p) {
  std::string out;
  for (const auto& e : p.errors)
    out += e + "\n";
  return out;
}

} // namespace

BOOST_AUTO_TEST_CASE(a_histogram_counts_into_cumulative_buckets) {
  metrics::registry r;
  auto& h = r.make_histogram("x_seconds", "x", {0.1, 1, 10});
  for (double v : {0.05, 0.1, 0.5, 2.0, 20.0})
    h.observe(v);
  auto page = parse_prometheus(r.render());
  BOOST_TEST(page.errors.empty(), errors_of(page));
  BOOST_TEST(page.types.at("x_seconds") == "histogram");
  BOOST_TEST(page.value("x_seconds_bucket{le=\"0.1\"}") == 2); // le is inclusive
  BOOST_TEST(page.value("x_seconds_bucket{le=\"1\"}") == 3);
  BOOST_TEST(page.value("x_seconds_bucket{le=\"10\"}") == 4);
  BOOST_TEST(page.value("x_seconds_bucket{le=\"+Inf\"}") == 5);
  BOOST_TEST(page.value("x_seconds_count") == 5);
  BOOST_TEST(page.value("x_seconds_sum") == 22.65, boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(labelled_series_share_one_family_and_escape_their_values) {
  metrics::registry r;
  r.make_counter("req_total", "requests", {{"route", "/a"}}).add(2);
  r.make_counter("req_total", "requests", {{"route", "say \"hi\"\\\n"}}).add();
  r.make_counter("req_total", "requests", {{"route", "/a"}}).add(); // the same series again
  auto text = r.render();
  BOOST_TEST(text.find("# TYPE req_total counter\n") != std::string::npos);
  auto page = parse_prometheus(text);
  BOOST_TEST(page.errors.empty(), errors_of(page));
  BOOST_TEST(page.value("req_total{route=\"/a\"}") == 3);
  BOOST_TEST(page.value("req_total{route=\"say \"hi\"\\\n\"}") == 1);
}

BOOST_AUTO_TEST_CASE(a_family_keeps_one_type) {
  metrics::registry r;
  r.make_counter("x_total", "x");
  BOOST_CHECK_THROW(r.make_histogram("x_total", "x", {1}), std::logic_error);
}

BOOST_AUTO_TEST_CASE(counters_are_safe_to_count_from_many_threads) {
  metrics::registry r;
  auto& c = r.make_counter("n_total", "n");
  auto& h = r.make_histogram("d_seconds", "d", {1});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        c.add();
        h.observe(0.5);
      }
    });
  for (auto& t : threads)
    t.join();
  auto page = parse_prometheus(r.render());
  BOOST_TEST(page.value("n_total") == 40000);
  BOOST_TEST(page.value("d_seconds_count") == 40000);
}

BOOST_AUTO_TEST_CASE(values_render_as_prometheus_reads_them) {
  BOOST_TEST(metrics::format_value(3) == "3");
  BOOST_TEST(metrics::format_value(0.25) == "0.25");
  BOOST_TEST(metrics::format_value(INFINITY) == "+Inf");
  BOOST_TEST(metrics::format_value(NAN) == "NaN");
}

// The exported set: every series the README lists is there before anything
// happened (at zero), and moves when counted.
BOOST_AUTO_TEST_CASE(the_pipeline_set_is_declared_up_front_and_moves) {
  metrics::pipeline_metrics m;
  auto before = parse_prometheus(m.all().render());
  BOOST_TEST(before.errors.empty(), errors_of(before));
  for (const char* stage : {"download", "transcribe", "extract", "write", "end_to_end"})
    BOOST_TEST(
        before.value(std::string("callscribe_stage_duration_seconds_count{stage=\"") + stage + "\"}") == 0);
  BOOST_TEST(before.value("callscribe_download_retries_total") == 0);
  BOOST_TEST(before.value("callscribe_actor_restarts_total{actor=\"transcriber\"}") == 0);
  BOOST_TEST(before.value("callscribe_jobs_finished_total{result=\"done\"}") == 0);
  BOOST_TEST(before.value("callscribe_transcriber_busy_ratio") == 0);
  BOOST_TEST(before.types.at("callscribe_build_info") == "gauge");
  BOOST_TEST(before.types.at("callscribe_speech_real_time_factor") == "histogram");

  m.stage_took("transcribe", 2.5);
  m.webhook_answered("/twilio/recording-status", 403);
  m.download_retried();
  m.actor_restarted("transcriber");
  m.job_finished(true);
  m.transcribed(2.5, 0.4);
  auto after = parse_prometheus(m.all().render());
  BOOST_TEST(after.errors.empty(), errors_of(after));
  BOOST_TEST(after.value("callscribe_stage_duration_seconds_count{stage=\"transcribe\"}") == 1);
  BOOST_TEST(after.value("callscribe_stage_duration_seconds_sum{stage=\"transcribe\"}") == 2.5);
  BOOST_TEST(
      after.value("callscribe_webhook_requests_total{route=\"/twilio/recording-status\",status=\"403\"}") ==
      1);
  BOOST_TEST(after.value("callscribe_download_retries_total") == 1);
  BOOST_TEST(after.value("callscribe_actor_restarts_total{actor=\"transcriber\"}") == 1);
  BOOST_TEST(after.value("callscribe_jobs_finished_total{result=\"done\"}") == 1);
  BOOST_TEST(after.value("callscribe_transcriber_busy_seconds_total") == 2.5);
  BOOST_TEST(after.value("callscribe_speech_real_time_factor_bucket{le=\"0.5\"}") == 1);
  BOOST_TEST(after.value("callscribe_transcriber_busy_ratio") > 0);
}

// The reader itself must refuse what a scraper refuses, or the tests above
// prove nothing.
BOOST_AUTO_TEST_CASE(the_reader_refuses_broken_pages) {
  BOOST_TEST(!parse_prometheus("x 1").errors.empty());                      // no newline at the end
  BOOST_TEST(!parse_prometheus("x{a=b} 1\n").errors.empty());               // unquoted label
  BOOST_TEST(!parse_prometheus("x one\n").errors.empty());                  // bad value
  BOOST_TEST(!parse_prometheus("# TYPE x counter\nx 1\n").errors.empty());  // counter without _total
  BOOST_TEST(!parse_prometheus("a 1\nb 1\na{c=\"d\"} 1\n").errors.empty()); // family split
  BOOST_TEST(!parse_prometheus("x 1\nx 2\n").errors.empty());               // twice
  BOOST_TEST(!parse_prometheus("# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 3\n")
                  .errors.empty()); // +Inf is not the count
  BOOST_TEST(
      parse_prometheus("# TYPE h histogram\nh_bucket{le=\"+Inf\"} 3\nh_sum 1\nh_count 3\n").errors.empty());
}
