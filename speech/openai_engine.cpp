// The `openai` speech engine: 16 kHz PCM as an in-memory WAV, POSTed as multipart to an
// OpenAI-compatible transcription endpoint; long audio split at quiet moments, silence dropped.
#include "speech/openai_engine.hpp"

#include "http/service_call.hpp"

#include <curl/curl.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>
#include <thread>

namespace callscribe::speech {

namespace {

using json = nlohmann::json;
using http::ascii_lower;
using http::is_space;
using http::trimmed;

constexpr int rate = 16000;
// Below this RMS (in 16-bit units, about -66 dBFS) audio is silence: a piece that is silence
// throughout is not sent at all, so the service cannot turn it into invented text.
constexpr double silence_rms = 16;
constexpr std::size_t wav_header_bytes = 44;
// Room left in the request body for the multipart framing and the other fields.
constexpr std::size_t form_overhead_bytes = 4096;
constexpr std::size_t max_answer_bytes = 16u * 1024 * 1024;
constexpr std::chrono::milliseconds max_wait{60000};

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// At most `max` bytes of a server's answer for a one-line message: whole UTF-8 characters, no
// line breaks or control characters; "…" marks any cut, even one of white space only.
std::string excerpt(const std::string& body, std::size_t max) {
  const std::string head = http::utf8_prefix(body, max);
  std::string out = http::one_line(trimmed(head));
  if (head.size() < body.size())
    out += "…";
  return out;
}

double rms(const std::int16_t* s, std::size_t n) {
  if (n == 0)
    return 0;
  double sum = 0;
  for (std::size_t i = 0; i < n; ++i)
    sum += static_cast<double>(s[i]) * s[i];
  return std::sqrt(sum / static_cast<double>(n));
}

// Silent when no 0.1 s frame rises above silence_rms: judged frame by frame, a short word in a long
// quiet stretch still counts, where the RMS of the whole would have buried it.
bool is_silent(const std::int16_t* s, std::size_t n) {
  constexpr std::size_t frame = rate / 10;
  for (std::size_t at = 0; at < n; at += frame)
    if (rms(s + at, std::min(frame, n - at)) >= silence_rms)
      return false;
  return true;
}

std::vector<std::size_t> cuts_in(const std::int16_t* s, std::size_t n, int sample_rate, std::size_t max) {
  if (max == 0)
    throw std::invalid_argument("quiet_cuts: max_samples must be positive");
  const std::size_t window = static_cast<std::size_t>(sample_rate) * 3 / 10;
  const std::size_t step = std::max<std::size_t>(1, static_cast<std::size_t>(sample_rate) / 100);
  std::vector<std::size_t> cuts;
  std::vector<double> energy; // prefix sums of squares over the look-back range
  std::size_t start = 0;
  while (n - start > max) {
    const std::size_t limit = start + max; // the longest piece ends here
    const std::size_t lookback = std::min(static_cast<std::size_t>(sample_rate) * 30, max / 2);
    std::size_t cut = limit;
    if (lookback >= window) {
      const std::size_t lo = limit - lookback;
      energy.assign(lookback + 1, 0.0);
      for (std::size_t i = 0; i < lookback; ++i)
        energy[i + 1] = energy[i] + static_cast<double>(s[lo + i]) * s[lo + i];
      // Latest first, and only a strictly quieter window moves the cut back: among equally quiet
      // moments the one that keeps the piece longest wins.
      double best = std::numeric_limits<double>::infinity();
      for (std::size_t w = limit - window;; w -= step) {
        const double e = energy[w + window - lo] - energy[w - lo];
        if (e < best) {
          best = e;
          cut = w + window / 2;
        }
        if (w < lo + step)
          break;
      }
    }
    cuts.push_back(cut);
    start = cut;
  }
  return cuts;
}

void put_le(std::string& out, std::uint32_t v, int bytes) {
  for (int i = 0; i < bytes; ++i)
    out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

// A canonical 44-byte RIFF header and the samples, little-endian whatever the host.
std::string wav_bytes(const std::int16_t* s, std::size_t n) {
  const auto data = static_cast<std::uint32_t>(n * 2);
  std::string out;
  out.reserve(wav_header_bytes + data);
  out += "RIFF";
  put_le(out, 36 + data, 4);
  out += "WAVEfmt ";
  put_le(out, 16, 4);       // fmt chunk size
  put_le(out, 1, 2);        // PCM
  put_le(out, 1, 2);        // mono
  put_le(out, rate, 4);     // sample rate
  put_le(out, rate * 2, 4); // byte rate
  put_le(out, 2, 2);        // block align
  put_le(out, 16, 2);       // bits per sample
  out += "data";
  put_le(out, data, 4);
  for (std::size_t i = 0; i < n; ++i)
    put_le(out, static_cast<std::uint16_t>(s[i]), 2);
  return out;
}

struct curl_handle {
  CURL* h = curl_easy_init();
  curl_slist* headers = nullptr;
  curl_mime* mime = nullptr;
  ~curl_handle() {
    curl_mime_free(mime);
    curl_slist_free_all(headers);
    curl_easy_cleanup(h);
  }
};

struct answer {
  CURLcode code = CURLE_OK;
  long status = 0;
  long retry_after_s = 0;
  std::string body;
  std::string curl_error;
};

// The service refused a piece as too large (413): split it finer.
struct too_large : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class openai_engine final : public speech_engine {
public:
  explicit openai_engine(const openai_options& o) : o_(o) {
    http::init_curl();
    if (o_.model.empty())
      throw std::invalid_argument("openai: no model given (e.g. whisper-1)");
    if (o_.attempts < 1)
      throw std::invalid_argument("openai: attempts must be at least 1");
    endpoint_ = endpoint_for(o_.url);
    const std::size_t reserve = wav_header_bytes + form_overhead_bytes + o_.prompt_budget + o_.model.size();
    if (o_.upload_limit < reserve + 2u * 2 * rate)
      throw std::invalid_argument("openai: upload_limit must be at least " +
                                  std::to_string(reserve + 2u * 2 * rate) + " bytes (two seconds of audio)");
    max_piece_ = (o_.upload_limit - reserve) / 2;
    if (!o_.sleep)
      o_.sleep = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  }

  std::string name() const override { return "openai"; }
  int sample_rate() const override { return rate; }

  channel_transcript transcribe_pcm16(const std::vector<std::int16_t>& samples,
                                      const recognition_hints& hints) override {
    channel_transcript result;
    if (is_silent(samples.data(), samples.size()))
      return result; // empty or silent: nothing to ask, nothing to invent

    request_fields fields;
    fields.language = openai_language(hints.language.empty() ? o_.language : hints.language);
    fields.prompt = openai_prompt(hints.phrases, o_.prompt_budget);

    curl_handle c;
    if (!c.h)
      throw std::runtime_error("openai: cannot create a libcurl handle");
    setup(c);
    transcribe_span(c, fields, samples.data(), samples.size(), 0, max_piece_, result);

    for (const auto& s : result.segments) {
      if (!result.text.empty())
        result.text += ' ';
      result.text += s.text;
    }
    return result;
  }

private:
  struct request_fields {
    std::string language;
    std::string prompt;
  };

  // Validates the URL with libcurl's URL API and appends the OpenAI path where it is missing.
  std::string endpoint_for(const std::string& url) {
    if (url.empty())
      throw std::invalid_argument("openai: no url given (e.g. https://api.openai.com/v1)");
    const http::http_url u = http::parse_http_url(url);
    if (!u)
      throw std::invalid_argument("openai: url is not an http(s) URL: " + url);
    where_ = http::host_and_port(u.get());
    std::string path = http::url_component(u.get(), CURLUPART_PATH);
    while (!path.empty() && path.back() == '/')
      path.pop_back();
    if (path.empty())
      path = "/v1/audio/transcriptions";
    else if (!ends_with(path, "/audio/transcriptions"))
      path += "/audio/transcriptions";
    curl_url_set(u.get(), CURLUPART_PATH, path.c_str(), 0);
    return http::url_component(u.get(), CURLUPART_URL);
  }

  void setup(curl_handle& c) {
    if (!o_.api_key.empty())
      c.headers = curl_slist_append(c.headers, ("Authorization: Bearer " + o_.api_key).c_str());
    // Without this libcurl waits up to a second for "100 Continue" before sending a large body.
    c.headers = curl_slist_append(c.headers, "Expect:");
    c.headers = curl_slist_append(c.headers, "Accept: application/json");
    curl_easy_setopt(c.h, CURLOPT_URL, endpoint_.c_str());
    curl_easy_setopt(c.h, CURLOPT_HTTPHEADER, c.headers);
    http::set_service_options(c.h, o_.connect_timeout, o_.timeout);
  }

  // Sends [s, s + n) in pieces no longer than max_samples; `offset` is where s sits in the channel.
  void transcribe_span(curl_handle& c, const request_fields& fields, const std::int16_t* s, std::size_t n,
                       std::size_t offset, std::size_t max_samples, channel_transcript& result) {
    std::vector<std::size_t> bounds = cuts_in(s, n, rate, max_samples);
    bounds.insert(bounds.begin(), 0);
    bounds.push_back(n);
    for (std::size_t i = 0; i + 1 < bounds.size(); ++i) {
      const std::size_t b = bounds[i], len = bounds[i + 1] - bounds[i];
      if (is_silent(s + b, len))
        continue;
      json reply;
      try {
        reply = request(c, fields, wav_bytes(s + b, len));
      } catch (const too_large& e) {
        if (len < 4u * rate)
          throw std::runtime_error(e.what());
        transcribe_span(c, fields, s + b, len, offset + b, len / 2, result);
        continue;
      }
      add_segments(reply, static_cast<double>(offset + b) / rate, static_cast<double>(len) / rate, result);
    }
  }

  json request(curl_handle& c, const request_fields& fields, const std::string& wav) {
    std::string format = verbose_refused_ ? "json" : "verbose_json";
    build_form(c, fields, wav, format);
    std::string last;
    for (int attempt = 1;; ++attempt) {
      const answer a = perform(c);
      if (a.code == CURLE_WRITE_ERROR)
        throw std::runtime_error("openai: " + where_ + " answered more than " +
                                 std::to_string(max_answer_bytes) + " bytes");
      if (a.code != CURLE_OK) {
        last = where_ + ": " + (a.curl_error.empty() ? curl_easy_strerror(a.code) : a.curl_error);
      } else if (a.status == 429 || a.status >= 500) {
        last = where_ + " answered " + std::to_string(a.status) + ": " + service_message(a.body);
      } else if (a.status >= 200 && a.status < 300) {
        return parse(a.body);
      } else {
        const std::string message = service_message(a.body);
        // Some models (gpt-4o-transcribe) answer only "json": ask once more in that form.
        if (a.status == 400 && format == "verbose_json" &&
            message.find("response_format") != std::string::npos) {
          verbose_refused_ = true;
          format = "json";
          build_form(c, fields, wav, format);
          --attempt;
          continue;
        }
        std::string what = "openai: " + where_ + " answered " + std::to_string(a.status) + ": " + message;
        if (a.status == 401 || a.status == 403)
          what += " (check the API key)";
        else if (a.status == 404)
          what += " (check the url and model)";
        if (a.status == 413)
          throw too_large(what);
        throw std::runtime_error(what);
      }
      if (attempt >= o_.attempts)
        throw std::runtime_error("openai: no transcription after " + std::to_string(o_.attempts) +
                                 (o_.attempts == 1 ? " attempt: " : " attempts: ") + last);
      o_.sleep(wait_before(attempt + 1, a.retry_after_s));
    }
  }

  void build_form(curl_handle& c, const request_fields& fields, const std::string& wav,
                  const std::string& format) {
    curl_mime_free(c.mime);
    c.mime = curl_mime_init(c.h);
    auto text_part = [&](const char* name, const std::string& value) {
      curl_mimepart* p = curl_mime_addpart(c.mime);
      curl_mime_name(p, name);
      curl_mime_data(p, value.data(), value.size());
    };
    curl_mimepart* file = curl_mime_addpart(c.mime);
    curl_mime_name(file, "file");
    curl_mime_filename(file, "audio.wav");
    curl_mime_type(file, "audio/wav");
    curl_mime_data(file, wav.data(), wav.size());
    text_part("model", o_.model);
    text_part("response_format", format);
    text_part("temperature", "0");
    if (!fields.language.empty())
      text_part("language", fields.language);
    if (!fields.prompt.empty())
      text_part("prompt", fields.prompt);
    curl_easy_setopt(c.h, CURLOPT_MIMEPOST, c.mime);
  }

  answer perform(curl_handle& c) {
    answer a;
    http::capped_body body{max_answer_bytes};
    char error[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(c.h, CURLOPT_ERRORBUFFER, error);
    http::collect_into(c.h, body);
    a.code = curl_easy_perform(c.h);
    curl_easy_setopt(c.h, CURLOPT_ERRORBUFFER, nullptr);
    a.body = std::move(body.text);
    a.curl_error = redact(error);
    curl_easy_getinfo(c.h, CURLINFO_RESPONSE_CODE, &a.status);
    curl_off_t retry_after = 0;
    if (curl_easy_getinfo(c.h, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK && retry_after > 0)
      a.retry_after_s = static_cast<long>(std::min<curl_off_t>(retry_after, 3600));
    return a;
  }

  // Before request number `attempt` (2, 3, ...): the service's Retry-After when it sent one (libcurl
  // reads both forms, seconds and HTTP date), else the backoff doubled per retry with ±20% jitter.
  std::chrono::milliseconds wait_before(int attempt, long retry_after_s) const {
    if (retry_after_s > 0)
      return std::min<std::chrono::milliseconds>(std::chrono::seconds(retry_after_s), max_wait);
    thread_local std::mt19937 random{std::random_device{}()};
    std::uniform_real_distribution<double> jitter(0.8, 1.2);
    const double base = static_cast<double>(o_.backoff.count()) * std::pow(2.0, attempt - 2);
    const double ms = std::min(base * jitter(random), static_cast<double>(max_wait.count()));
    return std::chrono::milliseconds(static_cast<std::int64_t>(ms));
  }

  // The service's own one-line reason: OpenAI's error.message, or the shapes other servers use.
  std::string service_message(const std::string& body) const {
    std::string m = http::service_error_message(body);
    if (m.empty())
      m = body.empty() ? "(empty body)" : body;
    return excerpt(redact(m), 300); // redacted first: a cut must not leave part of a key
  }

  // Services echo a (partly masked) key back in some errors; never let it into a message.
  std::string redact(std::string s) const { return http::redacted(std::move(s), o_.api_key); }

  json parse(const std::string& body) const {
    json j = json::parse(body, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("text") || !j["text"].is_string())
      throw std::runtime_error(
          "openai: transcription service answered something that is not a transcription: " +
          excerpt(redact(body), 100));
    return j;
  }

  static double number_or(const json& s, const char* key, double fallback) {
    const auto it = s.find(key);
    return it != s.end() && it->is_number() ? it->get<double>() : fallback;
  }

  bool silent(const json& s) const {
    const double nsp = number_or(s, "no_speech_prob", std::numeric_limits<double>::quiet_NaN());
    const double lp = number_or(s, "avg_logprob", std::numeric_limits<double>::quiet_NaN());
    if (!std::isnan(lp) && lp < o_.floor_avg_logprob)
      return true;
    return !std::isnan(nsp) && !std::isnan(lp) && nsp > o_.max_no_speech_prob && lp < o_.min_avg_logprob;
  }

  void add_segments(const json& reply, double offset_s, double seconds, channel_transcript& result) const {
    const auto segs = reply.find("segments");
    if (segs != reply.end() && segs->is_array() && !segs->empty()) {
      for (const json& s : *segs) {
        if (!s.is_object() || silent(s))
          continue;
        const auto t = s.find("text");
        std::string text = t != s.end() && t->is_string() ? trimmed(t->get<std::string>()) : "";
        if (text.empty())
          continue;
        result.segments.push_back(
            {offset_s + number_or(s, "start", 0), offset_s + number_or(s, "end", seconds), std::move(text)});
      }
      return;
    }
    // No segments (plain "json"): the whole piece is one segment.
    if (std::string text = trimmed(reply["text"].get<std::string>()); !text.empty())
      result.segments.push_back({offset_s, offset_s + seconds, std::move(text)});
  }

  openai_options o_;
  std::string endpoint_;
  std::string where_; // host[:port], for messages
  std::size_t max_piece_ = 0;
  std::atomic<bool> verbose_refused_{false};
};

} // namespace

std::string openai_language(const std::string& language) {
  std::string l = ascii_lower(trimmed(language));
  if (const auto dash = l.find_first_of("-_"); dash != std::string::npos)
    l.erase(dash);
  return l == "iw" ? "he" : l;
}

std::string openai_prompt(const std::vector<std::string>& phrases, std::size_t budget_bytes) {
  std::string prompt;
  std::vector<std::string> seen;
  for (const auto& raw : phrases) {
    std::string phrase;
    for (char c : trimmed(raw)) // one line: newlines and runs of blanks become one space
      if (!is_space(c))
        phrase += c;
      else if (!phrase.empty() && phrase.back() != ' ')
        phrase += ' ';
    if (phrase.empty())
      continue;
    const std::string key = ascii_lower(phrase);
    if (std::find(seen.begin(), seen.end(), key) != seen.end())
      continue;
    const std::size_t needed = phrase.size() + (prompt.empty() ? 0 : 2);
    if (prompt.size() + needed > budget_bytes)
      continue; // a later, shorter phrase may still fit
    if (!prompt.empty())
      prompt += ", ";
    prompt += phrase;
    seen.push_back(key);
  }
  return prompt;
}

std::vector<std::size_t> quiet_cuts(const std::vector<std::int16_t>& samples, int sample_rate,
                                    std::size_t max_samples) {
  return cuts_in(samples.data(), samples.size(), sample_rate, max_samples);
}

std::unique_ptr<speech_engine> make_openai_engine(const openai_options& o) {
  return std::make_unique<openai_engine>(o);
}

} // namespace callscribe::speech
