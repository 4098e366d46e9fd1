// The speech_engine interface, and transcribing a whole recording with one:
// each channel on its own (caller and business apart on dual-channel calls).
#pragma once

#include "speech/audio.hpp"

#include <memory>
#include <string>
#include <vector>

namespace callscribe::speech {

struct segment {
  double start = 0; // seconds
  double end = 0;
  std::string text;
};

struct channel_transcript {
  std::string speaker; // "caller" (channel 1, or mono) or "business" (channel 2)
  std::string text;
  std::vector<segment> segments;
};

struct transcription {
  std::string text; // all channels, caller first
  std::vector<channel_transcript> channels;
  std::string engine;
  double audio_seconds = 0;
  double rtf = 0; // processing time / audio time
};

// What a business's catalogue tells the engine to listen for: its service
// names and aliases and its place names (vocabulary hints), and the language.
struct recognition_hints {
  std::string language;             // "he", "en", ...; empty: the engine's default
  std::vector<std::string> phrases; // most important first
};

class speech_engine {
public:
  virtual ~speech_engine() = default;
  virtual std::string name() const = 0;
  virtual int sample_rate() const = 0; // what transcribe_pcm16 wants
  // Blocking. Throws std::runtime_error when the engine fails.
  virtual channel_transcript transcribe_pcm16(const std::vector<std::int16_t>& samples,
                                               const recognition_hints& hints) = 0;
};

// Decoded audio → text, every channel resampled to the engine's rate.
transcription transcribe(speech_engine& engine, const audio& a, const recognition_hints& hints = {});

struct pocketsphinx_options {
  std::string model_dir = "/usr/share/pocketsphinx/model/en-us"; // holds en-us/, en-us.lm.bin, cmudict-en-us.dict
};

// Loads the model once (about a second); throws std::runtime_error when it cannot.
std::unique_ptr<speech_engine> make_pocketsphinx_engine(const pocketsphinx_options& options = {});

} // namespace callscribe::speech
