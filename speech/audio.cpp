// Decoding recordings with libsndfile and resampling them with libsamplerate.
#include "speech/audio.hpp"

#include <samplerate.h>
#include <sndfile.h>

#include <cmath>
#include <memory>

namespace callscribe::speech {

double audio::seconds() const {
  if (sample_rate <= 0 || channels.empty())
    return 0;
  return static_cast<double>(channels.front().size()) / sample_rate;
}

namespace {

struct sndfile_closer {
  void operator()(SNDFILE* f) const { sf_close(f); }
};

} // namespace

audio decode_file(const std::string& path) {
  SF_INFO info{};
  std::unique_ptr<SNDFILE, sndfile_closer> file{sf_open(path.c_str(), SFM_READ, &info)};
  if (!file)
    throw audio_error("cannot decode " + path + ": " + sf_strerror(nullptr));
  if (info.channels <= 0 || info.samplerate <= 0)
    throw audio_error("cannot decode " + path + ": no channels or no sample rate");

  // Read in blocks until libsndfile says the stream has ended: for MP3 the frame
  // count in SF_INFO is an estimate, so it is not trusted as the length.
  const auto nch = static_cast<std::size_t>(info.channels);
  audio a;
  a.sample_rate = info.samplerate;
  a.channels.resize(nch);
  if (info.frames > 0)
    for (auto& c : a.channels)
      c.reserve(static_cast<std::size_t>(info.frames));
  constexpr sf_count_t block_frames = 8192;
  std::vector<float> block(block_frames * nch);
  for (;;) {
    const sf_count_t got = sf_readf_float(file.get(), block.data(), block_frames);
    if (got <= 0)
      break;
    for (sf_count_t i = 0; i < got; ++i)
      for (std::size_t ch = 0; ch < nch; ++ch)
        a.channels[ch].push_back(block[static_cast<std::size_t>(i) * nch + ch]);
  }
  if (sf_error(file.get()) != SF_ERR_NO_ERROR)
    throw audio_error("cannot decode " + path + ": " + sf_strerror(file.get()));
  if (a.channels.front().empty())
    throw audio_error("cannot decode " + path + ": no audio samples");
  return a;
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
    // SINC_FASTEST keeps 8 kHz → 16 kHz far below the recogniser's own cost, and
    // its 80 dB / 80 % band is ample for speech (see the speech tests for figures).
    if (const int err = src_simple(&data, SRC_SINC_FASTEST, 1); err != 0)
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

} // namespace callscribe::speech
