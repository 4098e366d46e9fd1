// The `command` speech engine: runs a configured program (whisper.cpp's CLI, say)
// on a WAV file of each channel and reads the transcript from its standard output.
#pragma once

#include "speech/speech_engine.hpp"

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace callscribe::speech {

struct command_options {
  // Program and arguments, run without a shell. In each argument "{file}" becomes
  // the audio file's path (16 kHz mono 16-bit WAV), "{language}" the language (the
  // hints', else `language`), "{prompt}" the hint phrases joined with ", ".
  std::vector<std::string> argv;
  std::string language; // default language
  std::chrono::seconds timeout{300};
  std::size_t max_output_bytes = 1024 * 1024;
};

// Splits a configured command line into arguments without a shell: whitespace
// separates, single quotes take everything literally, double quotes group and
// let a backslash escape " and \, a backslash outside quotes escapes any
// character. Throws std::invalid_argument on an unterminated quote, a trailing
// backslash, or a line without "{file}".
std::vector<std::string> split_command(const std::string& command_line);

// Throws std::invalid_argument when argv is empty or has no "{file}".
// The engine's transcribe_pcm16 throws std::runtime_error when the program
// cannot start, times out (its whole process group is killed), exits non-zero
// (the message has the status and the end of its stderr) or floods stdout.
// Its stdout, trimmed, is the text; whisper.cpp's timestamped lines
// ("[00:00:01.000 --> 00:00:02.500]  text") become segments, and when there are
// any, other lines are ignored, as are whisper's bracketed non-speech marks.
std::unique_ptr<speech_engine> make_command_engine(const command_options& o);

} // namespace callscribe::speech
