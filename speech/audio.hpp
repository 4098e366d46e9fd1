// Audio as the engines want it: decoded from a recording file (WAV PCM, μ-law or
// A-law, MP3; mono or dual-channel) and resampled to the engine's rate.
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

// A transcription cannot be interrupted, so a longer recording is refused before
// it reaches an engine. Four hours is Twilio's longest call.
constexpr double max_audio_seconds = 4 * 3600.0;

// Throws audio_error, one line naming the file and what is wrong with it: not
// there, empty, not audio, a header that cannot be read, no samples, a sample
// rate outside 4–192 kHz, more than 8 channels, longer than max_seconds.
// A WAV whose header promises more data than the file holds (a cut-off
// recording) is read as far as it goes: the words in it are still the caller's.
// MP3 is decoded by mpg123 itself: libsndfile stops at its own length estimate,
// which is short on a variable-bitrate file without a Xing header.
audio decode_file(const std::string& path, double max_seconds = max_audio_seconds);

// One channel, resampled (libsamplerate) and converted to 16-bit PCM.
std::vector<std::int16_t> to_pcm16(const std::vector<float>& samples, int from_rate, int to_rate);

// Nothing to transcribe: no 100 ms stretch of the channel reaches this RMS level.
// −50 dBFS is about 0.3 % of full scale: above the idle hiss of a phone line
// (around −65 dBFS) and far below speech (−35 to −15 dBFS), so an engine is
// never paid to listen to a leg that said nothing.
constexpr double silence_dbfs = -50;
bool silent(const std::vector<float>& samples, int sample_rate);
bool silent(const std::vector<std::int16_t>& samples, int sample_rate);

} // namespace callscribe::speech
