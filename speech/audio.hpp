// Audio as the engines want it: decoded from a recording file (WAV PCM or
// μ-law, MP3; mono or dual-channel) and resampled to the engine's rate.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace callscribe::speech {

struct audio_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct audio {
  int sample_rate = 0;
  std::vector<std::vector<float>> channels; // one vector per channel, samples in [-1, 1]
  double seconds() const;
};

// Throws audio_error with the file name and libsndfile's reason.
audio decode_file(const std::string& path);

// One channel, resampled (libsamplerate) and converted to 16-bit PCM.
std::vector<std::int16_t> to_pcm16(const std::vector<float>& samples, int from_rate, int to_rate);

} // namespace callscribe::speech
