// callscribe_bench_rtf: PocketSphinx's real-time factor once warm. Loads the
// engine once, transcribes the first recording of LIST unmeasured (it pays for
// first-use costs), then each of the others the way the server does
// (speech::decode_file, speech::transcribe; timed: resampling and recognition,
// not reading the file).
// Usage: callscribe_bench_rtf LIST   (one WAV path a line)
// Prints: files, audio seconds, processing seconds, rtf (processing ÷ audio),
// ms of processing per audio second, the same with this thread's CPU time
// (cpu_rtf: what other load on the machine does not inflate), and the
// model's load time.
#include "speech/speech_engine.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <string>
#include <vector>

using namespace callscribe::speech;

namespace {

// This thread's CPU seconds: what the machine's other load does not inflate.
double cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

} // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s LIST\n", argv[0]);
    return 2;
  }
  std::ifstream list(argv[1]);
  std::vector<std::string> paths;
  for (std::string line; std::getline(list, line);)
    if (!line.empty())
      paths.push_back(line);
  if (paths.size() < 2) {
    std::fprintf(stderr, "bench_rtf: need at least two recordings in %s\n", argv[1]);
    return 2;
  }
  try {
    const auto load_started = std::chrono::steady_clock::now();
    const auto engine = make_pocketsphinx_engine(pocketsphinx_options{});
    const std::chrono::duration<double> load = std::chrono::steady_clock::now() - load_started;
    recognition_hints hints;
    hints.language = "en";
    double audio_s = 0, processing_s = 0, cpu_s = 0;
    for (std::size_t i = 0; i < paths.size(); ++i) {
      const audio a = decode_file(paths[i]);
      const auto started = std::chrono::steady_clock::now();
      const double cpu_started = cpu_seconds();
      const transcription t = transcribe(*engine, a, hints);
      const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
      const double cpu = cpu_seconds() - cpu_started;
      if (i == 0)
        continue; // the warm-up
      audio_s += t.audio_seconds;
      processing_s += took.count();
      cpu_s += cpu;
    }
    std::printf("files %zu audio_s %.2f processing_s %.2f rtf %.3f ms_per_audio_s %.0f cpu_rtf %.3f "
                "model_load_s %.2f\n",
                paths.size() - 1, audio_s, processing_s, processing_s / audio_s, 1000 * processing_s / audio_s,
                cpu_s / audio_s, load.count());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_rtf: %s\n", e.what());
    return 1;
  }
}
