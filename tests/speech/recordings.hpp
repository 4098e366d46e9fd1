// Real recordings for the speech tests: speech synthesised by flite, then written in
// the forms calls arrive in (8 kHz PCM and μ-law WAV, dual-channel, MP3) with libsndfile.
#pragma once

#include "speech/audio.hpp"

#include <sndfile.h>

#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace callscribe::speech::test {

// One folder per test binary, removed when the binary ends (see the global fixture).
inline const std::filesystem::path& scratch_dir() {
  static const std::filesystem::path dir = [] {
    auto d = std::filesystem::temp_directory_path() /
             ("callscribe-speech-test-" + std::to_string(static_cast<long>(::getpid())));
    std::filesystem::create_directories(d);
    return d;
  }();
  return dir;
}

inline std::string scratch_file(const std::string& name) {
  return (scratch_dir() / name).string();
}

// flite's default voice (kal) is an 8 kHz diphone voice; "rms" is a 16 kHz voice that
// PocketSphinx recognises best of flite's voices, at 16 kHz and after 8 kHz telephone rates.
inline std::string synthesize(const std::string& text, const std::string& name,
                              const std::string& voice = "rms") {
  const std::string path = scratch_file(name);
  const std::string command = "flite -voice " + voice + " -t '" + text + "' -o '" + path + "'";
  if (std::system(command.c_str()) != 0)
    throw std::runtime_error("flite failed: " + command);
  return path;
}

// Writes channels (equal length) interleaved; `format` is a libsndfile SF_FORMAT_* mask.
inline std::string write_recording(const std::string& name, const std::vector<std::vector<float>>& channels,
                                   int rate, int format) {
  const std::string path = scratch_file(name);
  SF_INFO info{};
  info.samplerate = rate;
  info.channels = static_cast<int>(channels.size());
  info.format = format;
  SNDFILE* file = sf_open(path.c_str(), SFM_WRITE, &info);
  if (!file)
    throw std::runtime_error("cannot write " + path + ": " + sf_strerror(nullptr));
  std::vector<float> interleaved;
  const std::size_t frames = channels.front().size();
  interleaved.reserve(frames * channels.size());
  for (std::size_t i = 0; i < frames; ++i)
    for (const auto& c : channels)
      interleaved.push_back(c[i]);
  const auto written = sf_writef_float(file, interleaved.data(), static_cast<sf_count_t>(frames));
  sf_close(file);
  if (written != static_cast<sf_count_t>(frames))
    throw std::runtime_error("short write to " + path);
  return path;
}

// A sine tone; loud enough to matter, quiet enough that the 16 → 8 kHz round
// trip never clips.
inline std::vector<float> sine(double hz, int rate, double seconds, float amplitude = 0.5f) {
  std::vector<float> s(static_cast<std::size_t>(std::lround(rate * seconds)));
  for (std::size_t i = 0; i < s.size(); ++i)
    s[i] = amplitude * static_cast<float>(std::sin(2 * M_PI * hz * static_cast<double>(i) / rate));
  return s;
}

inline double rms(const std::vector<float>& s) {
  double sum = 0;
  for (float x : s)
    sum += static_cast<double>(x) * x;
  return s.empty() ? 0 : std::sqrt(sum / static_cast<double>(s.size()));
}

// Resampled through the code under test, back to floats, as a telephone-rate source.
inline std::vector<float> resampled(const std::vector<float>& samples, int from_rate, int to_rate) {
  std::vector<float> out;
  for (std::int16_t s : to_pcm16(samples, from_rate, to_rate))
    out.push_back(static_cast<float>(s) / 32768.0f);
  return out;
}

} // namespace callscribe::speech::test
