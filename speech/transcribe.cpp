// Transcribing a whole recording: each channel apart, resampled to the engine's rate.
#include "speech/speech_engine.hpp"

#include <chrono>

namespace callscribe::speech {

namespace {

// Twilio's dual-channel recordings put the parent call leg (the caller) first.
std::string speaker_for(std::size_t channel) {
  if (channel == 0)
    return "caller";
  if (channel == 1)
    return "business";
  return "channel " + std::to_string(channel + 1);
}

} // namespace

transcription transcribe(speech_engine& engine, const audio& a, const recognition_hints& hints) {
  const auto started = std::chrono::steady_clock::now();
  transcription result;
  result.engine = engine.name();
  result.audio_seconds = a.seconds();
  for (std::size_t ch = 0; ch < a.channels.size(); ++ch) {
    channel_transcript part =
        engine.transcribe_pcm16(to_pcm16(a.channels[ch], a.sample_rate, engine.sample_rate()), hints);
    part.speaker = speaker_for(ch);
    if (!part.text.empty()) {
      if (!result.text.empty())
        result.text += '\n';
      result.text += part.text;
    }
    result.channels.push_back(std::move(part));
  }
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
  if (result.audio_seconds > 0)
    result.rtf = took.count() / result.audio_seconds;
  return result;
}

} // namespace callscribe::speech
