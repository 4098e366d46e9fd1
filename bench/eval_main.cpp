// callscribe_eval: transcribes a list of recordings with the embedded PocketSphinx
// engine, the way the server does (speech::decode_file, speech::transcribe), and
// writes the hypotheses as an sclite `trn` file for bench/eval_speech.sh to score.
#include "speech/speech_engine.hpp"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

using namespace callscribe::speech;

namespace {

const char* const usage = "usage: callscribe_eval [--hints FILE] [--model-dir DIR] LIST OUT.trn\n"
                          "  LIST     one recording a line: utterance-id path\n"
                          "  OUT.trn  the hypotheses, \"text (utterance-id)\" a line, for sclite\n"
                          "  --hints  vocabulary hints, one phrase a line ('#' starts a comment)\n"
                          "Prints: files, audio seconds, processing seconds, real-time factor.\n";

std::vector<std::string> read_phrases(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    throw std::runtime_error("cannot read " + path);
  std::vector<std::string> phrases;
  for (std::string line; std::getline(in, line);) {
    if (const auto hash = line.find('#'); hash != std::string::npos)
      line.erase(hash);
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos)
      continue;
    const auto last = line.find_last_not_of(" \t\r");
    phrases.push_back(line.substr(first, last - first + 1));
  }
  return phrases;
}

} // namespace

int main(int argc, char** argv) {
  std::vector<std::string> positional;
  recognition_hints hints;
  hints.language = "en";
  pocketsphinx_options options;
  try {
    for (int i = 1; i < argc; ++i) {
      const std::string arg = argv[i];
      if ((arg == "--hints" || arg == "--model-dir") && i + 1 < argc) {
        const std::string value = argv[++i];
        if (arg == "--hints")
          hints.phrases = read_phrases(value);
        else
          options.model_dir = value;
      } else if (arg == "-h" || arg == "--help") {
        std::cout << usage;
        return 0;
      } else if (!arg.empty() && arg[0] == '-') {
        std::cerr << "unknown option " << arg << "\n" << usage;
        return 2;
      } else {
        positional.push_back(arg);
      }
    }
    if (positional.size() != 2) {
      std::cerr << usage;
      return 2;
    }

    std::ifstream list(positional[0]);
    if (!list)
      throw std::runtime_error("cannot read " + positional[0]);
    std::ofstream out(positional[1]);
    if (!out)
      throw std::runtime_error("cannot write " + positional[1]);

    const auto load_started = std::chrono::steady_clock::now();
    const auto engine = make_pocketsphinx_engine(options);
    const std::chrono::duration<double> load = std::chrono::steady_clock::now() - load_started;

    int files = 0;
    double audio_seconds = 0, processing_seconds = 0;
    for (std::string line; std::getline(list, line);) {
      std::istringstream fields(line);
      std::string id, path;
      if (!(fields >> id >> path))
        continue;
      const audio a = decode_file(path);
      // Timed like the server's RTF: resampling and recognition, not reading the file.
      const auto started = std::chrono::steady_clock::now();
      const transcription t = transcribe(*engine, a, hints);
      const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
      std::string text = t.text;
      for (char& c : text)
        if (c == '\n')
          c = ' ';
      out << text << " (" << id << ")\n";
      ++files;
      audio_seconds += t.audio_seconds;
      processing_seconds += took.count();
    }
    out.close();
    if (!out)
      throw std::runtime_error("cannot write " + positional[1]);
    std::printf("files %d audio_s %.2f processing_s %.2f rtf %.3f model_load_s %.2f\n", files, audio_seconds,
                processing_seconds, audio_seconds > 0 ? processing_seconds / audio_seconds : 0.0,
                load.count());
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "callscribe_eval: " << e.what() << "\n";
    return 1;
  }
}
