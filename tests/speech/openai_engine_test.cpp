// The openai engine against a loopback stand-in for an OpenAI-compatible transcription service:
// the multipart fields it sends, retries, errors, silence, and long audio split at quiet moments.
#include <boost/test/unit_test.hpp>

#include "http/server.hpp"
#include "speech/openai_engine.hpp"
#include "tests/http/scripted_service.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstring>
#include <ctime>
#include <map>
#include <mutex>
#include <thread>

using namespace callscribe;
using namespace callscribe::speech;
using json = nlohmann::json;

namespace {

struct form_part {
  std::string filename;
  std::string content_type;
  std::string data;
};

// One request as the stand-in saw it, its multipart body taken apart.
struct seen_request {
  std::string path;
  std::map<std::string, std::string> headers;
  std::size_t body_bytes = 0;
  std::map<std::string, form_part> parts;
  bool has(const std::string& name) const { return parts.count(name) > 0; }
  const std::string& field(const std::string& name) const { return parts.at(name).data; }
};

std::map<std::string, form_part> parse_multipart(const std::string& content_type, const std::string& body) {
  std::map<std::string, form_part> parts;
  const auto at = content_type.find("boundary=");
  BOOST_REQUIRE(at != std::string::npos);
  std::string boundary = content_type.substr(at + 9);
  if (!boundary.empty() && boundary.front() == '"')
    boundary = boundary.substr(1, boundary.find('"', 1) - 1);
  const std::string delimiter = "--" + boundary;
  std::size_t pos = body.find(delimiter);
  BOOST_REQUIRE(pos != std::string::npos);
  for (int guard = 0; guard < 100; ++guard) {
    pos += delimiter.size();
    if (body.compare(pos, 2, "--") == 0)
      break;  // closing delimiter
    pos += 2; // CRLF after the delimiter
    const auto head_end = body.find("\r\n\r\n", pos);
    BOOST_REQUIRE(head_end != std::string::npos);
    const std::string head = body.substr(pos, head_end - pos);
    const auto next = body.find("\r\n" + delimiter, head_end + 4);
    BOOST_REQUIRE(next != std::string::npos);
    form_part part;
    part.data = body.substr(head_end + 4, next - head_end - 4);
    auto quoted = [&](const std::string& key) {
      const auto k = head.find(key + "=\"");
      if (k == std::string::npos)
        return std::string();
      const auto b = k + key.size() + 2;
      return head.substr(b, head.find('"', b) - b);
    };
    part.filename = quoted("filename");
    if (const auto ct = head.find("Content-Type: "); ct != std::string::npos)
      part.content_type = head.substr(ct + 14, head.find("\r\n", ct) - ct - 14);
    parts[quoted("name")] = part;
    pos = next + 2;
  }
  return parts;
}

struct wav_info {
  std::uint32_t rate = 0;
  std::uint16_t channels = 0, bits = 0, format = 0;
  std::vector<std::int16_t> samples;
};

std::uint32_t le(const std::string& s, std::size_t at, int bytes) {
  std::uint32_t v = 0;
  for (int i = bytes - 1; i >= 0; --i)
    v = (v << 8) | static_cast<unsigned char>(s[at + i]);
  return v;
}

wav_info parse_wav(const std::string& w) {
  wav_info info;
  BOOST_REQUIRE_GE(w.size(), 44u);
  BOOST_REQUIRE_EQUAL(w.substr(0, 4), "RIFF");
  BOOST_REQUIRE_EQUAL(w.substr(8, 8), "WAVEfmt ");
  BOOST_REQUIRE_EQUAL(le(w, 4, 4), w.size() - 8);
  info.format = static_cast<std::uint16_t>(le(w, 20, 2));
  info.channels = static_cast<std::uint16_t>(le(w, 22, 2));
  info.rate = le(w, 24, 4);
  info.bits = static_cast<std::uint16_t>(le(w, 34, 2));
  BOOST_REQUIRE_EQUAL(w.substr(36, 4), "data");
  const std::uint32_t data = le(w, 40, 4);
  BOOST_REQUIRE_EQUAL(data, w.size() - 44);
  for (std::size_t i = 44; i + 1 < w.size(); i += 2)
    info.samples.push_back(static_cast<std::int16_t>(le(w, i, 2)));
  return info;
}

// An OpenAI-compatible service on 127.0.0.1 that records every request, its
// multipart body taken apart, and answers as scripted.
class stand_in {
public:
  using script = testing::scripted_service<seen_request>::script;

  explicit stand_in(script answer, std::chrono::milliseconds delay = {})
      : service_(read, std::move(answer), 8 * 1024 * 1024, delay) {}

  std::string base() const { return "http://127.0.0.1:" + std::to_string(service_.port()) + "/v1"; }
  std::uint16_t port() const { return service_.port(); }
  std::vector<seen_request> requests() const { return service_.requests(); }

private:
  static seen_request read(const http::request& r) {
    seen_request s;
    s.path = r.path;
    for (const auto& [k, v] : r.headers)
      s.headers[k] = v;
    s.body_bytes = r.body.size();
    if (const auto* ct = r.header("content-type"))
      s.parts = parse_multipart(*ct, r.body);
    return s;
  }

  testing::scripted_service<seen_request> service_;
};

using testing::json_answer;

http::response ok_text(const std::string& text) {
  return json_answer({{"text", text}});
}

// Vowel-like bursts (a 150 Hz tone with harmonics) between quiet gaps with a little noise.
struct speech_like {
  std::vector<std::int16_t> samples;
  std::vector<std::pair<std::size_t, std::size_t>> gaps; // [begin, end) sample ranges
};

speech_like make_speech_like(double seconds, std::vector<double> bursts = {1.3, 1.7, 0.9, 2.1},
                             double gap = 0.5) {
  speech_like s;
  const int rate = 16000;
  const auto total = static_cast<std::size_t>(seconds * rate);
  std::uint32_t noise = 12345;
  for (std::size_t k = 0; s.samples.size() < total; ++k) {
    const auto burst = static_cast<std::size_t>(bursts[k % bursts.size()] * rate);
    for (std::size_t i = 0; i < burst && s.samples.size() < total; ++i) {
      const double t = static_cast<double>(i) / rate;
      const double envelope = std::min(1.0, std::min(t, static_cast<double>(burst - i) / rate) * 20);
      const double v = std::sin(2 * M_PI * 150 * t) + 0.5 * std::sin(2 * M_PI * 300 * t) +
                       0.3 * std::sin(2 * M_PI * 450 * t + 1);
      s.samples.push_back(static_cast<std::int16_t>(6000 * envelope * v));
    }
    const std::size_t begin = s.samples.size();
    for (std::size_t i = 0; i < static_cast<std::size_t>(gap * rate) && s.samples.size() < total; ++i) {
      noise = noise * 1664525u + 1013904223u;
      s.samples.push_back(static_cast<std::int16_t>(static_cast<int>(noise >> 24) % 61 - 30));
    }
    s.gaps.emplace_back(begin, s.samples.size());
  }
  return s;
}

struct recorded_sleeps {
  std::vector<std::chrono::milliseconds> waits;
  std::function<void(std::chrono::milliseconds)> fn() {
    return [this](std::chrono::milliseconds d) { waits.push_back(d); };
  }
};

openai_options options_for(const stand_in& s, recorded_sleeps& sleeps) {
  openai_options o;
  o.url = s.base();
  o.model = "whisper-1";
  o.timeout = std::chrono::seconds(10);
  o.connect_timeout = std::chrono::seconds(2);
  o.backoff = std::chrono::milliseconds(100);
  o.sleep = sleeps.fn();
  return o;
}

template <class F> std::string error_of(F&& f) {
  try {
    f();
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  BOOST_FAIL("no exception");
  return {};
}

} // namespace

BOOST_AUTO_TEST_SUITE(openai_engine)

BOOST_AUTO_TEST_CASE(sends_the_fields_an_openai_service_expects) {
  stand_in service([](const seen_request&, int) { return ok_text("שלום"); });
  recorded_sleeps sleeps;
  auto o = options_for(service, sleeps);
  o.language = "en";
  auto engine = make_openai_engine(o);
  BOOST_TEST(engine->name() == "openai");
  BOOST_TEST(engine->sample_rate() == 16000);

  const auto audio = make_speech_like(2.5).samples;
  const recognition_hints hints{"he", {"מנעולן", "פריצת דלתות", "תל אביב"}};
  const auto t = engine->transcribe_pcm16(audio, hints);
  BOOST_TEST(t.text == "שלום");

  const auto seen = service.requests();
  BOOST_REQUIRE_EQUAL(seen.size(), 1u);
  const auto& r = seen[0];
  BOOST_TEST(r.path == "/v1/audio/transcriptions");
  BOOST_TEST(r.field("model") == "whisper-1");
  BOOST_TEST(r.field("language") == "he");
  BOOST_TEST(r.field("response_format") == "verbose_json");
  BOOST_TEST(r.field("temperature") == "0");
  BOOST_TEST(r.field("prompt") == "מנעולן, פריצת דלתות, תל אביב");
  BOOST_TEST(r.parts.at("file").filename == "audio.wav");
  BOOST_TEST(r.parts.at("file").content_type == "audio/wav");
  const auto wav = parse_wav(r.field("file"));
  BOOST_TEST(wav.format == 1);
  BOOST_TEST(wav.channels == 1);
  BOOST_TEST(wav.bits == 16);
  BOOST_TEST(wav.rate == 16000u);
  BOOST_TEST(wav.samples == audio);
}

BOOST_AUTO_TEST_CASE(language_comes_from_hints_then_options_and_iw_becomes_he) {
  stand_in service([](const seen_request&, int) { return ok_text("x"); });
  recorded_sleeps sleeps;
  const auto audio = make_speech_like(1.5).samples;
  auto o = options_for(service, sleeps);
  o.language = "iw";
  auto engine = make_openai_engine(o);
  engine->transcribe_pcm16(audio, {"", {}});      // the options' old code
  engine->transcribe_pcm16(audio, {"iw-IL", {}}); // the hints' old code, with a region
  engine->transcribe_pcm16(audio, {"EN", {}});
  o.language.clear();
  make_openai_engine(o)->transcribe_pcm16(audio, {}); // none at all: the service detects it

  const auto seen = service.requests();
  BOOST_REQUIRE_EQUAL(seen.size(), 4u);
  BOOST_TEST(seen[0].field("language") == "he");
  BOOST_TEST(seen[1].field("language") == "he");
  BOOST_TEST(seen[2].field("language") == "en");
  BOOST_TEST(!seen[3].has("language"));
  BOOST_TEST(!seen[3].has("prompt"));
}

BOOST_AUTO_TEST_CASE(endpoint_from_a_base_a_bare_host_or_the_full_url) {
  stand_in service([](const seen_request&, int) { return ok_text("x"); });
  recorded_sleeps sleeps;
  const auto audio = make_speech_like(1.5).samples;
  const std::string host = "http://127.0.0.1:" + std::to_string(service.port());
  for (const std::string& url : {host + "/v1/", host, host + "/v1/audio/transcriptions"}) {
    auto o = options_for(service, sleeps);
    o.url = url;
    make_openai_engine(o)->transcribe_pcm16(audio, {});
  }
  for (const auto& r : service.requests())
    BOOST_TEST(r.path == "/v1/audio/transcriptions");
}

BOOST_AUTO_TEST_CASE(bearer_header_only_with_a_key) {
  stand_in service([](const seen_request&, int) { return ok_text("x"); });
  recorded_sleeps sleeps;
  const auto audio = make_speech_like(1.5).samples;
  auto o = options_for(service, sleeps);
  make_openai_engine(o)->transcribe_pcm16(audio, {});
  o.api_key = "sk-test-123";
  make_openai_engine(o)->transcribe_pcm16(audio, {});
  const auto seen = service.requests();
  BOOST_REQUIRE_EQUAL(seen.size(), 2u);
  BOOST_TEST(seen[0].headers.count("authorization") == 0u);
  BOOST_TEST(seen[1].headers.at("authorization") == "Bearer sk-test-123");
}

BOOST_AUTO_TEST_CASE(verbose_segments_become_text_and_silent_ones_are_dropped) {
  const json reply = {{"text", "Hello there Thank you. hallucination and goodbye"},
                      {"segments",
                       {{{"start", 0.0},
                         {"end", 1.0},
                         {"text", " Hello there"},
                         {"no_speech_prob", 0.01},
                         {"avg_logprob", -0.2}},
                        // Whisper's rule: probably no speech and not confident → silence.
                        {{"start", 1.0},
                         {"end", 2.0},
                         {"text", " Thank you."},
                         {"no_speech_prob", 0.9},
                         {"avg_logprob", -1.5}},
                        // Below the floor on its own.
                        {{"start", 2.0},
                         {"end", 3.0},
                         {"text", " hallucination"},
                         {"no_speech_prob", 0.1},
                         {"avg_logprob", -2.5}},
                        // Probably no speech, but confident: kept, as Whisper does.
                        {{"start", 3.0},
                         {"end", 4.0},
                         {"text", " and goodbye "},
                         {"no_speech_prob", 0.8},
                         {"avg_logprob", -0.3}},
                        // A server that sends no probabilities keeps its segments.
                        {{"start", 4.0}, {"end", 4.5}, {"text", " bye"}}}}};
  stand_in service([&](const seen_request&, int) { return json_answer(reply); });
  recorded_sleeps sleeps;
  const auto t =
      make_openai_engine(options_for(service, sleeps))->transcribe_pcm16(make_speech_like(5).samples, {});
  BOOST_TEST(t.text == "Hello there and goodbye bye");
  BOOST_REQUIRE_EQUAL(t.segments.size(), 3u);
  BOOST_TEST(t.segments[0].text == "Hello there");
  BOOST_TEST(t.segments[1].start == 3.0);
  BOOST_TEST(t.segments[1].end == 4.0);
  BOOST_TEST(t.segments[1].text == "and goodbye");
}

BOOST_AUTO_TEST_CASE(plain_text_when_there_are_no_segments) {
  stand_in service([](const seen_request&, int) { return ok_text("  שלום, אני צריך מנעולן בחיפה \n"); });
  recorded_sleeps sleeps;
  const auto t =
      make_openai_engine(options_for(service, sleeps))->transcribe_pcm16(make_speech_like(2).samples, {});
  BOOST_TEST(t.text == "שלום, אני צריך מנעולן בחיפה");
  BOOST_REQUIRE_EQUAL(t.segments.size(), 1u);
  BOOST_TEST(t.segments[0].start == 0.0);
  BOOST_TEST(t.segments[0].end == 2.0);
}

BOOST_AUTO_TEST_CASE(too_many_requests_waits_as_retry_after_says) {
  stand_in service([](const seen_request&, int n) {
    if (n > 0)
      return ok_text("done");
    auto r = json_answer({{"error", {{"message", "Rate limit reached"}, {"type", "requests"}}}}, 429);
    r.headers.emplace_back("Retry-After", "2");
    return r;
  });
  recorded_sleeps sleeps;
  const auto t =
      make_openai_engine(options_for(service, sleeps))->transcribe_pcm16(make_speech_like(1.5).samples, {});
  BOOST_TEST(t.text == "done");
  BOOST_TEST(service.requests().size() == 2u);
  BOOST_REQUIRE_EQUAL(sleeps.waits.size(), 1u);
  BOOST_TEST(sleeps.waits[0].count() == 2000);
}

BOOST_AUTO_TEST_CASE(retry_after_as_an_http_date) {
  stand_in service([](const seen_request&, int n) {
    if (n > 0)
      return ok_text("done");
    auto r = json_answer({{"error", {{"message", "slow down"}}}}, 503);
    const std::time_t later = std::time(nullptr) + 3;
    char date[64];
    std::tm tm{};
    gmtime_r(&later, &tm);
    std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    r.headers.emplace_back("Retry-After", date);
    return r;
  });
  recorded_sleeps sleeps;
  make_openai_engine(options_for(service, sleeps))->transcribe_pcm16(make_speech_like(1.5).samples, {});
  BOOST_REQUIRE_EQUAL(sleeps.waits.size(), 1u);
  BOOST_TEST(sleeps.waits[0].count() >= 1000);
  BOOST_TEST(sleeps.waits[0].count() <= 4000);
}

BOOST_AUTO_TEST_CASE(server_errors_are_retried_with_growing_backoff) {
  stand_in service([](const seen_request&, int n) {
    return n < 2 ? json_answer({{"error", {{"message", "The server had an error"}}}}, 500)
                 : ok_text("third time");
  });
  recorded_sleeps sleeps;
  const auto t =
      make_openai_engine(options_for(service, sleeps))->transcribe_pcm16(make_speech_like(1.5).samples, {});
  BOOST_TEST(t.text == "third time");
  BOOST_TEST(service.requests().size() == 3u);
  BOOST_REQUIRE_EQUAL(sleeps.waits.size(), 2u);
  BOOST_TEST(sleeps.waits[0].count() >= 80); // 100 ms ± 20%
  BOOST_TEST(sleeps.waits[0].count() <= 120);
  BOOST_TEST(sleeps.waits[1].count() >= 160); // doubled
  BOOST_TEST(sleeps.waits[1].count() <= 240);
}

BOOST_AUTO_TEST_CASE(gives_up_after_the_attempts_with_the_last_reason) {
  stand_in service([](const seen_request&, int) {
    return json_answer({{"error", {{"message", "overloaded"}}}}, 503);
  });
  recorded_sleeps sleeps;
  auto o = options_for(service, sleeps);
  o.attempts = 3;
  const auto what =
      error_of([&] { make_openai_engine(o)->transcribe_pcm16(make_speech_like(1.5).samples, {}); });
  BOOST_TEST(what.find("3 attempts") != std::string::npos, what);
  BOOST_TEST(what.find("503: overloaded") != std::string::npos, what);
  BOOST_TEST(service.requests().size() == 3u);
  BOOST_TEST(sleeps.waits.size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_client_error_fails_at_once_with_the_service_message) {
  stand_in service([](const seen_request&, int) {
    return json_answer(
        {{"error",
          {{"message", "Invalid language 'xx'."}, {"type", "invalid_request_error"}, {"code", nullptr}}}},
        400);
  });
  recorded_sleeps sleeps;
  const auto what = error_of([&] {
    make_openai_engine(options_for(service, sleeps))->transcribe_pcm16(make_speech_like(1.5).samples, {});
  });
  BOOST_TEST(what.find("400") != std::string::npos, what);
  BOOST_TEST(what.find("Invalid language 'xx'.") != std::string::npos, what);
  BOOST_TEST(service.requests().size() == 1u);
  BOOST_TEST(sleeps.waits.empty());
}

BOOST_AUTO_TEST_CASE(the_key_never_appears_in_an_error) {
  stand_in service([](const seen_request& r, int) {
    const std::string key = r.headers.at("authorization").substr(7);
    return json_answer({{"error", {{"message", "Incorrect API key provided: " + key + "."}}}}, 401);
  });
  recorded_sleeps sleeps;
  auto o = options_for(service, sleeps);
  o.api_key = "sk-secret-0042";
  const auto what =
      error_of([&] { make_openai_engine(o)->transcribe_pcm16(make_speech_like(1.5).samples, {}); });
  BOOST_TEST(what.find("sk-secret-0042") == std::string::npos, what);
  BOOST_TEST(what.find("401") != std::string::npos, what);
  BOOST_TEST(what.find("check the API key") != std::string::npos, what);
}

BOOST_AUTO_TEST_CASE(garbage_is_a_clear_error) {
  stand_in service([](const seen_request&, int) {
    http::response r;
    r.content_type = "text/html";
    r.body = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>";
    return r;
  });
  recorded_sleeps sleeps;
  const auto what = error_of([&] {
    make_openai_engine(options_for(service, sleeps))->transcribe_pcm16(make_speech_like(1.5).samples, {});
  });
  BOOST_TEST(what.find("not a transcription") != std::string::npos, what);
  BOOST_TEST(what.find("<html><head><title>502") != std::string::npos, what);
  // JSON, but not a transcription either.
  stand_in other([](const seen_request&, int) { return json_answer({{"segments", json::array()}}); });
  const auto what2 = error_of([&] {
    make_openai_engine(options_for(other, sleeps))->transcribe_pcm16(make_speech_like(1.5).samples, {});
  });
  BOOST_TEST(what2.find("not a transcription") != std::string::npos, what2);
}

BOOST_AUTO_TEST_CASE(a_slow_service_times_out_and_is_retried) {
  stand_in service([](const seen_request&, int) { return ok_text("too late"); },
                   std::chrono::milliseconds(1800));
  recorded_sleeps sleeps;
  auto o = options_for(service, sleeps);
  o.timeout = std::chrono::seconds(1);
  o.attempts = 2;
  const auto started = std::chrono::steady_clock::now();
  const auto what =
      error_of([&] { make_openai_engine(o)->transcribe_pcm16(make_speech_like(1.5).samples, {}); });
  const auto took = std::chrono::steady_clock::now() - started;
  BOOST_TEST(what.find("2 attempts") != std::string::npos, what);
  BOOST_TEST(what.find("timed out") != std::string::npos, what);
  BOOST_TEST(service.requests().size() == 2u);
  BOOST_TEST(sleeps.waits.size() == 1u);
  BOOST_TEST(std::chrono::duration<double>(took).count() < 5.0);
}

BOOST_AUTO_TEST_CASE(nobody_listening_is_retried_then_reported) {
  std::uint16_t port = 0;
  {
    stand_in gone([](const seen_request&, int) { return ok_text("x"); });
    port = gone.port();
  }
  recorded_sleeps sleeps;
  openai_options o;
  o.url = "http://127.0.0.1:" + std::to_string(port) + "/v1";
  o.model = "whisper-1";
  o.attempts = 2;
  o.sleep = sleeps.fn();
  const auto what =
      error_of([&] { make_openai_engine(o)->transcribe_pcm16(make_speech_like(1.5).samples, {}); });
  BOOST_TEST(what.find("127.0.0.1") != std::string::npos, what);
  BOOST_TEST(sleeps.waits.size() == 1u);
}

BOOST_AUTO_TEST_CASE(falls_back_to_json_when_verbose_json_is_refused) {
  stand_in service([](const seen_request& r, int) {
    if (r.field("response_format") == "verbose_json")
      return json_answer({{"error",
                           {{"message", "response_format 'verbose_json' is not compatible with model "
                                        "'gpt-4o-transcribe'. Use 'json' or 'text' instead."}}}},
                         400);
    return ok_text("hi");
  });
  recorded_sleeps sleeps;
  auto o = options_for(service, sleeps);
  o.model = "gpt-4o-transcribe";
  auto engine = make_openai_engine(o);
  BOOST_TEST(engine->transcribe_pcm16(make_speech_like(1.5).samples, {}).text == "hi");
  BOOST_TEST(engine->transcribe_pcm16(make_speech_like(1.5).samples, {}).text == "hi");
  const auto seen = service.requests();
  BOOST_REQUIRE_EQUAL(seen.size(), 3u); // refused once, then json from the start
  BOOST_TEST(seen[1].field("response_format") == "json");
  BOOST_TEST(seen[2].field("response_format") == "json");
}

BOOST_AUTO_TEST_CASE(long_audio_is_split_at_quiet_moments_under_the_upload_limit) {
  stand_in service([](const seen_request&, int n) {
    return json_answer({{"text", "part " + std::to_string(n + 1)},
                        {"segments",
                         {{{"start", 0.5},
                           {"end", 1.0},
                           {"text", " part " + std::to_string(n + 1)},
                           {"no_speech_prob", 0.02},
                           {"avg_logprob", -0.3}}}}});
  });
  recorded_sleeps sleeps;
  auto o = options_for(service, sleeps);
  o.upload_limit = 200 * 1024;
  const auto audio = make_speech_like(20);
  const recognition_hints hints{"he", {"מנעולן", "תל אביב"}};
  const auto t = make_openai_engine(o)->transcribe_pcm16(audio.samples, hints);

  const auto seen = service.requests();
  BOOST_REQUIRE_GE(seen.size(), 4u);
  BOOST_REQUIRE_LE(seen.size(), 8u);
  std::size_t at = 0;
  std::string expected;
  for (std::size_t i = 0; i < seen.size(); ++i) {
    BOOST_TEST(seen[i].body_bytes < o.upload_limit);
    BOOST_TEST(seen[i].field("language") == "he");
    BOOST_TEST(seen[i].field("prompt") == "מנעולן, תל אביב");
    const auto wav = parse_wav(seen[i].field("file"));
    BOOST_TEST(wav.rate == 16000u);
    // The pieces are the audio, in order, nothing lost or repeated.
    BOOST_REQUIRE_LE(at + wav.samples.size(), audio.samples.size());
    BOOST_TEST(std::equal(wav.samples.begin(), wav.samples.end(), audio.samples.begin() + at));
    if (i > 0) { // every cut falls in a gap between bursts
      bool in_gap = false;
      for (const auto& [b, e] : audio.gaps)
        in_gap = in_gap || (at >= b && at < e);
      BOOST_TEST(in_gap, "cut at sample " << at);
    }
    BOOST_REQUIRE_LT(i, t.segments.size());
    BOOST_TEST(std::abs(t.segments[i].start - (static_cast<double>(at) / 16000 + 0.5)) < 1e-9);
    BOOST_TEST(t.segments[i].text == "part " + std::to_string(i + 1));
    expected += (i ? " part " : "part ") + std::to_string(i + 1);
    at += wav.samples.size();
  }
  BOOST_TEST(at == audio.samples.size());
  BOOST_TEST(t.text == expected);
}

BOOST_AUTO_TEST_CASE(a_piece_the_service_finds_too_large_is_split_finer) {
  stand_in service([](const seen_request& r, int) {
    if (r.field("file").size() > 5u * 32000)
      return json_answer({{"error", {{"message", "Maximum content size limit exceeded"}}}}, 413);
    return ok_text("piece");
  });
  recorded_sleeps sleeps;
  const auto t =
      make_openai_engine(options_for(service, sleeps))->transcribe_pcm16(make_speech_like(8).samples, {});
  const auto seen = service.requests();
  BOOST_REQUIRE_GE(seen.size(), 3u);
  BOOST_TEST(seen[0].field("file").size() > 5u * 32000);
  for (std::size_t i = 1; i < seen.size(); ++i)
    BOOST_TEST(seen[i].field("file").size() <= 5u * 32000);
  BOOST_TEST(t.segments.size() == seen.size() - 1);
  for (const auto& s : t.segments)
    BOOST_TEST(s.text == "piece");
}

BOOST_AUTO_TEST_CASE(silence_is_not_sent) {
  stand_in service([](const seen_request&, int) { return ok_text("Thank you for watching!"); });
  recorded_sleeps sleeps;
  auto engine = make_openai_engine(options_for(service, sleeps));
  BOOST_TEST(engine->transcribe_pcm16({}, {}).text.empty());
  BOOST_TEST(engine->transcribe_pcm16(std::vector<std::int16_t>(16000 * 3, 0), {}).text.empty());
  std::vector<std::int16_t> hiss(16000 * 3);
  for (std::size_t i = 0; i < hiss.size(); ++i)
    hiss[i] = static_cast<std::int16_t>(static_cast<int>(i * 7919 % 11) - 5);
  const auto t = engine->transcribe_pcm16(hiss, {});
  BOOST_TEST(t.text.empty());
  BOOST_TEST(t.segments.empty());
  BOOST_TEST(service.requests().empty());
}

BOOST_AUTO_TEST_CASE(a_short_quiet_word_in_a_long_silence_is_sent) {
  stand_in service([](const seen_request&, int) { return ok_text("כן"); });
  recorded_sleeps sleeps;
  std::vector<std::int16_t> audio(16000 * 60, 0);
  for (std::size_t i = 0; i < 3200; ++i) // 0.2 s at about -44 dBFS, 30 s in
    audio[16000 * 30 + i] = static_cast<std::int16_t>(200 * std::sin(2 * M_PI * 200 * i / 16000.0));
  const auto t = make_openai_engine(options_for(service, sleeps))->transcribe_pcm16(audio, {});
  BOOST_TEST(t.text == "כן");
  BOOST_TEST(service.requests().size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_silent_piece_of_a_long_recording_is_not_sent) {
  stand_in service([](const seen_request&, int n) {
    return json_answer(
        {{"text", "x"},
         {"segments", {{{"start", 0.5}, {"end", 1.0}, {"text", "part " + std::to_string(n + 1)}}}}});
  });
  recorded_sleeps sleeps;
  auto o = options_for(service, sleeps);
  o.upload_limit = 200 * 1024;
  auto audio = make_speech_like(4, {4.0}, 0).samples; // speech, 14 s of nothing, speech
  audio.resize(audio.size() + 16000 * 14, 0);
  const auto tail = make_speech_like(4, {4.0}, 0).samples;
  audio.insert(audio.end(), tail.begin(), tail.end());
  const auto t = make_openai_engine(o)->transcribe_pcm16(audio, {});
  const auto seen = service.requests();
  BOOST_REQUIRE_EQUAL(seen.size(), 2u);
  BOOST_TEST(t.text == "part 1 part 2");
  const auto last = parse_wav(seen[1].field("file")).samples.size();
  BOOST_REQUIRE_EQUAL(t.segments.size(), 2u);
  BOOST_TEST(std::abs(t.segments[1].start - (static_cast<double>(audio.size() - last) / 16000 + 0.5)) < 1e-9);
}

BOOST_AUTO_TEST_CASE(options_are_checked) {
  openai_options o;
  o.model = "whisper-1";
  BOOST_CHECK_THROW(make_openai_engine(o), std::invalid_argument); // no url
  o.url = "ftp://example.com/v1";
  BOOST_CHECK_THROW(make_openai_engine(o), std::invalid_argument);
  o.url = "api.openai.com/v1";
  BOOST_CHECK_THROW(make_openai_engine(o), std::invalid_argument);
  o.url = "https://api.openai.com/v1";
  o.model.clear();
  BOOST_CHECK_THROW(make_openai_engine(o), std::invalid_argument);
  o.model = "whisper-1";
  o.upload_limit = 1000;
  BOOST_CHECK_THROW(make_openai_engine(o), std::invalid_argument);
  o.upload_limit = 25u * 1024 * 1024;
  BOOST_CHECK_NO_THROW(make_openai_engine(o));
}

BOOST_AUTO_TEST_CASE(language_codes) {
  BOOST_TEST(openai_language("iw") == "he");
  BOOST_TEST(openai_language(" IW ") == "he");
  BOOST_TEST(openai_language("he-IL") == "he");
  BOOST_TEST(openai_language("en_US") == "en");
  BOOST_TEST(openai_language("") == "");
}

BOOST_AUTO_TEST_CASE(prompt_keeps_the_first_phrases_within_budget) {
  BOOST_TEST(openai_prompt({" locksmith ", "", "Tel\nAviv", "LOCKSMITH", "Haifa"}, 600) ==
             "locksmith, Tel Aviv, Haifa");
  std::vector<std::string> many;
  for (int i = 0; i < 200; ++i)
    many.push_back("פריצת דלתות " + std::to_string(i));
  const auto p = openai_prompt(many, 600);
  BOOST_TEST(p.size() <= 600u);
  BOOST_TEST(p.rfind("פריצת דלתות 0, פריצת דלתות 1,", 0) == 0u);
  // A phrase too long for what is left is skipped; a shorter one after it still fits.
  BOOST_TEST(openai_prompt({"abc", std::string(20, 'x'), "de"}, 12) == "abc, de");
}

BOOST_AUTO_TEST_CASE(cuts_fall_in_the_quietest_window) {
  const auto audio = make_speech_like(60);
  const std::size_t max = 16000 * 10;
  const auto cuts = quiet_cuts(audio.samples, 16000, max);
  BOOST_TEST(cuts.size() >= 6u);
  std::size_t previous = 0;
  for (const auto cut : cuts) {
    BOOST_TEST(cut > previous);
    BOOST_TEST(cut - previous <= max);
    bool in_gap = false;
    for (const auto& [b, e] : audio.gaps)
      in_gap = in_gap || (cut >= b + 2400 && cut + 2400 <= e); // the whole 0.3 s window is quiet
    BOOST_TEST(in_gap, "cut at " << cut);
    previous = cut;
  }
  BOOST_TEST(audio.samples.size() - previous <= max);
  BOOST_TEST(quiet_cuts(audio.samples, 16000, audio.samples.size()).empty());
}

BOOST_AUTO_TEST_SUITE_END()
