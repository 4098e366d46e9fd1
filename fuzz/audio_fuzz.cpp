// The audio decoder on any recording file (it reads a path, so the input is
// written to one): audio, or audio_error with a one-line reason. Short
// results also go through the resampler and the silence check, as a
// transcription would.
#include "fuzz/scratch_file.hpp"
#include "speech/audio.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

using namespace callscribe::speech;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // The downloader names a recording .wav, or .mp3 when Twilio serves MP3, and
  // libsndfile trusts the name when the header says nothing. The first byte's
  // low bit picks it: RIFF gets .wav, ID3 and an MPEG sync byte get .mp3, and
  // mutations see both.
  const bool mpeg_name = size > 0 && (data[0] & 1);
  const std::string path =
      callscribe::fuzz::write_scratch_file(mpeg_name ? "recording.mp3" : "recording.wav", data, size);
  try {
    const audio a = decode_file(path);
    if (a.sample_rate < 4000 || a.sample_rate > 192000 || a.channels.empty() || a.channels.size() > 8 ||
        a.channels.front().empty()) {
      std::fprintf(stderr, "decode_file returned %d Hz, %zu channels\n", a.sample_rate, a.channels.size());
      std::abort();
    }
    for (const auto& ch : a.channels)
      if (ch.size() != a.channels.front().size())
        std::abort();
    if (a.seconds() <= 0.25) {
      const auto pcm = to_pcm16(a.channels.front(), a.sample_rate, 16000);
      (void)silent(pcm, 16000);
      (void)silent(a.channels.front(), a.sample_rate);
    }
  } catch (const audio_error&) {
  }
  return 0;
}
