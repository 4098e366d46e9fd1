// Decoding recordings with libsndfile (MP3 with mpg123) and resampling them with
// libsamplerate.
#include "speech/audio.hpp"

#include <mpg123.h>
#include <samplerate.h>
#include <sndfile.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <system_error>

namespace callscribe::speech {

double audio::seconds() const {
  if (sample_rate <= 0 || channels.empty())
    return 0;
  return static_cast<double>(channels.front().size()) / sample_rate;
}

namespace {

// Calls arrive at 8 kHz, wideband files at 16–48 kHz; outside this a header is
// lying, and a 1 Hz "recording" of a few kilobytes would claim hours.
constexpr int min_rate = 4000;
constexpr int max_rate = 192000;
// A call has one or two legs; past this each channel would be a paid transcription.
constexpr int max_channels = 8;

[[noreturn]] void fail(const std::string& path, const std::string& why) {
  throw audio_error("cannot decode " + path + ": " + why);
}

std::string duration_text(double seconds) {
  char buf[48];
  if (seconds >= 3600)
    std::snprintf(buf, sizeof buf, "%.3g h", seconds / 3600);
  else if (seconds >= 60)
    std::snprintf(buf, sizeof buf, "%.3g min", seconds / 60);
  else
    std::snprintf(buf, sizeof buf, "%.3g s", seconds);
  return buf;
}

void check_shape(const std::string& path, long rate, long channels) {
  if (channels <= 0 || rate <= 0)
    fail(path, "no channels or no sample rate");
  if (rate < min_rate || rate > max_rate)
    fail(path, "a sample rate of " + std::to_string(rate) + " Hz is not a recording's");
  if (channels > max_channels)
    fail(path, std::to_string(channels) + " channels (a call has one or two)");
}

// Deinterleaves decoded blocks into an audio, and stops at the length limit while
// reading: a header's length can be an estimate (MP3) or a lie.
class frame_sink {
public:
  frame_sink(const std::string& path, int rate, int channels, double max_seconds)
      : path_(path), max_seconds_(max_seconds),
        max_frames_(static_cast<std::size_t>(std::max(0.0, std::floor(max_seconds * rate)))) {
    a_.sample_rate = rate;
    a_.channels.resize(static_cast<std::size_t>(channels));
  }

  // A header's length is only a hint: a few kilobytes of FLAC can claim hours
  // at 192 kHz (gigabytes of floats). Past an hour of a call's 8 kHz the
  // channels grow as the samples really arrive.
  void reserve(long long frames) {
    constexpr std::size_t max_reserved_frames = 3600 * 8000;
    if (frames > 0)
      for (auto& c : a_.channels)
        c.reserve(std::min({static_cast<std::size_t>(frames), max_frames_, max_reserved_frames}));
  }

  void add(const float* interleaved, std::size_t frames) {
    if (frames_ + frames > max_frames_)
      fail(path_, "longer than the " + duration_text(max_seconds_) + " limit");
    const std::size_t nch = a_.channels.size();
    for (std::size_t i = 0; i < frames; ++i)
      for (std::size_t ch = 0; ch < nch; ++ch) {
        const float x = interleaved[i * nch + ch];
        // A float WAV may carry NaN or infinity; the resampler would spread it.
        a_.channels[ch].push_back(std::isfinite(x) ? x : 0.0f);
      }
    frames_ += frames;
  }

  audio take() {
    if (frames_ == 0)
      fail(path_, "no audio samples");
    return std::move(a_);
  }

private:
  const std::string& path_;
  double max_seconds_;
  std::size_t max_frames_;
  std::size_t frames_ = 0;
  audio a_;
};

// libsndfile's reason is sometimes beside the point: an empty file is "Format not
// recognised", a text file named .mp3 "File does not exist". What arrives instead
// of a recording is most often an error page, so show its start.
std::string unreadable_reason(const std::string& path, const std::string& libsndfile_reason) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(status))
    return "no such file";
  if (!std::filesystem::is_regular_file(status))
    return "not a regular file";
  char head[512];
  std::ifstream in(path, std::ios::binary);
  in.read(head, sizeof head);
  const auto n = static_cast<std::size_t>(in.gcount());
  if (n == 0)
    return "the file is empty";
  const bool text = std::all_of(head, head + n, [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u >= 0x20 ? u != 0x7f : (c == '\n' || c == '\r' || c == '\t');
  });
  if (!text) {
    // Its text for an MPEG stream that mpg123 gave up on.
    if (libsndfile_reason.find("does not exist") != std::string::npos)
      return "not audio that libsndfile or mpg123 can read";
    std::string reason = libsndfile_reason;
    while (!reason.empty() && (reason.back() == '.' || reason.back() == ' '))
      reason.pop_back();
    return reason;
  }
  std::size_t shown = std::min<std::size_t>(n, 40);
  while (shown < n && (static_cast<unsigned char>(head[shown]) & 0xC0) == 0x80)
    ++shown; // end on a whole UTF-8 character
  std::string start(head, shown);
  std::replace_if(
      start.begin(), start.end(), [](char c) { return c == '\n' || c == '\r' || c == '\t'; }, ' ');
  return "not audio: text starting \"" + start + "\"";
}

struct sndfile_closer {
  void operator()(SNDFILE* f) const { sf_close(f); }
};

struct mpg123_closer {
  void operator()(mpg123_handle* h) const {
    mpg123_close(h);
    mpg123_delete(h);
  }
};

audio decode_mpeg(const std::string& path, double max_seconds) {
  static const int initialised = mpg123_init(); // a no-op since 1.27, required before
  (void)initialised;
  int err = MPG123_OK;
  std::unique_ptr<mpg123_handle, mpg123_closer> h{mpg123_new(nullptr, &err)};
  if (!h)
    fail(path, std::string("mpg123: ") + mpg123_plain_strerror(err));
  // Otherwise mpg123 writes its notes on a damaged stream to the server's stderr.
  mpg123_param(h.get(), MPG123_ADD_FLAGS, MPG123_QUIET, 0);
  // Floats at the stream's own rate and channels: resampling is ours to do.
  mpg123_format_none(h.get());
  const long* rates = nullptr;
  std::size_t rate_count = 0;
  mpg123_rates(&rates, &rate_count);
  for (std::size_t i = 0; i < rate_count; ++i)
    mpg123_format(h.get(), rates[i], MPG123_MONO | MPG123_STEREO, MPG123_ENC_FLOAT_32);
  if (mpg123_open(h.get(), path.c_str()) != MPG123_OK)
    fail(path, mpg123_strerror(h.get()));
  long rate = 0;
  int channels = 0;
  int encoding = 0;
  if (mpg123_getformat(h.get(), &rate, &channels, &encoding) != MPG123_OK)
    fail(path, mpg123_strerror(h.get()));
  check_shape(path, rate, channels);

  frame_sink sink(path, static_cast<int>(rate), channels, max_seconds);
  const auto nch = static_cast<std::size_t>(channels);
  std::vector<float> block(8192 * nch);
  for (;;) {
    std::size_t done = 0;
    const int r = mpg123_read(h.get(), reinterpret_cast<unsigned char*>(block.data()),
                              block.size() * sizeof(float), &done);
    sink.add(block.data(), done / (sizeof(float) * nch));
    if (r == MPG123_DONE)
      break;
    if (r == MPG123_NEW_FORMAT) {
      long now_rate = 0;
      int now_channels = 0;
      mpg123_getformat(h.get(), &now_rate, &now_channels, &encoding);
      if (now_rate != rate || now_channels != channels)
        fail(path, "the stream changes its rate or channels midway");
      continue;
    }
    if (r != MPG123_OK)
      fail(path, mpg123_strerror(h.get()));
  }
  return sink.take();
}

} // namespace

audio decode_file(const std::string& path, double max_seconds) {
  SF_INFO info{};
  std::unique_ptr<SNDFILE, sndfile_closer> file{sf_open(path.c_str(), SFM_READ, &info)};
  if (!file)
    fail(path, unreadable_reason(path, sf_strerror(nullptr)));
  check_shape(path, info.samplerate, info.channels);

  if ((info.format & SF_FORMAT_TYPEMASK) == SF_FORMAT_MPEG) {
    file.reset();
    return decode_mpeg(path, max_seconds);
  }

  // Checked before reading, so a long file costs nothing to refuse. libsndfile
  // has already cut a WAV's claim down to the bytes the file holds.
  if (static_cast<double>(info.frames) / info.samplerate > max_seconds)
    fail(path, "lasts " + duration_text(static_cast<double>(info.frames) / info.samplerate) +
                   ", longer than the " + duration_text(max_seconds) + " limit");

  frame_sink sink(path, info.samplerate, info.channels, max_seconds);
  sink.reserve(info.frames);
  constexpr sf_count_t block_frames = 8192;
  std::vector<float> block(static_cast<std::size_t>(block_frames * info.channels));
  for (;;) {
    const sf_count_t got = sf_readf_float(file.get(), block.data(), block_frames);
    if (got <= 0)
      break;
    sink.add(block.data(), static_cast<std::size_t>(got));
  }
  if (sf_error(file.get()) != SF_ERR_NO_ERROR)
    fail(path, sf_strerror(file.get()));
  return sink.take();
}

std::vector<std::int16_t> to_pcm16(const std::vector<float>& samples, int from_rate, int to_rate) {
  if (from_rate <= 0 || to_rate <= 0)
    throw audio_error("cannot resample from " + std::to_string(from_rate) + " Hz to " +
                      std::to_string(to_rate) + " Hz");
  std::vector<std::int16_t> out;
  if (samples.empty())
    return out;

  const float* source = samples.data();
  std::size_t count = samples.size();
  std::vector<float> resampled;
  if (from_rate != to_rate) {
    const double ratio = static_cast<double>(to_rate) / from_rate;
    // A little headroom: libsamplerate may emit a frame more than the exact product.
    resampled.resize(static_cast<std::size_t>(std::ceil(samples.size() * ratio)) + 16);
    SRC_DATA data{};
    data.data_in = samples.data();
    data.input_frames = static_cast<long>(samples.size());
    data.data_out = resampled.data();
    data.output_frames = static_cast<long>(resampled.size());
    data.src_ratio = ratio;
    // BEST_QUALITY keeps the 3.2–4 kHz band that SINC_FASTEST drops on telephone
    // audio (8 kHz calls: 26.7% → about 23.6% WER in bench/eval_speech.sh); it
    // costs about 5 ms per second of audio, far below the recogniser's own cost.
    if (const int err = src_simple(&data, SRC_SINC_BEST_QUALITY, 1); err != 0)
      throw audio_error(std::string("cannot resample: ") + src_strerror(err));
    resampled.resize(static_cast<std::size_t>(data.output_frames_gen));
    source = resampled.data();
    count = resampled.size();
  }

  out.resize(count);
  // Scales by 32768 and clips, so a full-scale sample cannot wrap around.
  src_float_to_short_array(source, out.data(), static_cast<int>(count));
  return out;
}

namespace {

template <typename Sample>
bool silent_samples(const std::vector<Sample>& samples, int sample_rate, double full_scale) {
  const double level = full_scale * std::pow(10.0, silence_dbfs / 20);
  const double floor_power = level * level;
  const std::size_t window = static_cast<std::size_t>(std::max(1, sample_rate / 10));
  for (std::size_t start = 0; start < samples.size(); start += window) {
    const std::size_t end = std::min(samples.size(), start + window);
    double sum = 0;
    for (std::size_t i = start; i < end; ++i)
      sum += static_cast<double>(samples[i]) * samples[i];
    if (sum / static_cast<double>(end - start) >= floor_power)
      return false;
  }
  return true;
}

} // namespace

bool silent(const std::vector<float>& samples, int sample_rate) {
  return silent_samples(samples, sample_rate, 1.0);
}

bool silent(const std::vector<std::int16_t>& samples, int sample_rate) {
  return silent_samples(samples, sample_rate, 32768.0);
}

} // namespace callscribe::speech
