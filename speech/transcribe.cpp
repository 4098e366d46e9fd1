// Transcribing a whole recording: each channel apart, resampled to the engine's rate.
#include "speech/speech_engine.hpp"

#include <cctype>
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

std::string label_for(const std::string& speaker) {
  std::string label = speaker;
  if (!label.empty())
    label[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(label[0])));
  return label;
}

// One speaker's words stand alone; two or more are labelled, caller first, so the
// extractor reads what the caller asked for before what the business answered.
std::string whole_text(const std::vector<channel_transcript>& channels) {
  std::size_t speaking = 0;
  for (const auto& c : channels)
    speaking += c.text.empty() ? 0 : 1;
  std::string text;
  for (const auto& c : channels) {
    if (c.text.empty())
      continue;
    if (!text.empty())
      text += '\n';
    if (speaking > 1)
      text += label_for(c.speaker) + ": ";
    text += c.text;
  }
  return text;
}

} // namespace

transcription transcribe(speech_engine& engine, const audio& a, const recognition_hints& hints) {
  const auto started = std::chrono::steady_clock::now();
  transcription result;
  result.engine = engine.name();
  result.audio_seconds = a.seconds();
  for (std::size_t ch = 0; ch < a.channels.size(); ++ch) {
    channel_transcript part;
    // A leg that only listened costs nothing: no resampling, no engine call
    // (which for a hosted engine is money). See silence_dbfs.
    if (!silent(a.channels[ch], a.sample_rate))
      part = engine.transcribe_pcm16(to_pcm16(a.channels[ch], a.sample_rate, engine.sample_rate()), hints);
    part.speaker = speaker_for(ch);
    result.channels.push_back(std::move(part));
  }
  result.text = whole_text(result.channels);
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
  if (result.audio_seconds > 0)
    result.rtf = took.count() / result.audio_seconds;
  return result;
}

} // namespace callscribe::speech
