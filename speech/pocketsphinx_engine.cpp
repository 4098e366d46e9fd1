// The embedded speech engine: CMU PocketSphinx 0.8 (5prealpha) with its US English model.
// Settings chosen by bench/eval_speech.sh (figures in the README).
#include "speech/speech_engine.hpp"

#include <pocketsphinx.h>

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <vector>

namespace callscribe::speech {

namespace {

// Fillers the decoder reports as words: <s>, </s>, <sil>, [NOISE], [SPEECH].
bool is_filler(const std::string& word) {
  return word.empty() || word.front() == '<' || word.front() == '[' || word.front() == '+';
}

// "read(2)" is the dictionary's second pronunciation of "read": the word is "read".
std::string without_variant(std::string word) {
  if (!word.empty() && word.back() == ')')
    if (const auto open = word.rfind('('); open != std::string::npos && open > 0)
      word.erase(open);
  return word;
}

// The share of a 16 kHz signal's energy above 6 kHz, or 1 when the signal is silent.
double high_band_share(const std::vector<std::int16_t>& samples) {
  // A 4th-order Butterworth high-pass at 6 kHz: two RBJ biquads.
  struct biquad {
    double b0, b1, b2, a1, a2, z1 = 0, z2 = 0;
    double operator()(double x) {
      const double y = b0 * x + z1;
      z1 = b1 * x - a1 * y + z2;
      z2 = b2 * x - a2 * y;
      return y;
    }
  };
  auto high_pass = [](double q) {
    const double w = 2 * 3.14159265358979323846 * 6000.0 / 16000.0;
    const double alpha = std::sin(w) / (2 * q), c = std::cos(w), a0 = 1 + alpha;
    return biquad{(1 + c) / 2 / a0, -(1 + c) / a0, (1 + c) / 2 / a0, -2 * c / a0, (1 - alpha) / a0};
  };
  biquad first = high_pass(0.5411961), second = high_pass(1.3065630);
  double total = 0, high = 0;
  for (const std::int16_t s : samples) {
    const double x = s;
    const double h = second(first(x));
    total += x * x;
    high += h * h;
  }
  return total > 0 ? high / total : 1.0;
}

// Below this share the audio is a narrowband (8 kHz) recording upsampled to 16 kHz.
// On the evaluation sets, 8 kHz μ-law speech after the resampler leaves -61 dB or
// less above 6 kHz; the wideband flite voices and LibriVox recordings -50 dB or more.
constexpr double narrowband_share = 2.5e-6; // -56 dB

// The hint words' share of the language model, interpolated with the main model:
// P(w | h) = (1 - λ) P_main(w | h) + λ / (hint words + 1). Measured on the service
// calls at 0.005, 0.02 and 0.1: the services and places found are the same, and
// 0.02 costs the least WER at 16 kHz.
constexpr float hint_weight = 0.02f;

class pocketsphinx_engine final : public speech_engine {
public:
  explicit pocketsphinx_engine(const pocketsphinx_options& options) {
    namespace fs = std::filesystem;
    const std::string hmm = options.model_dir + "/en-us";
    const std::string lm = options.model_dir + "/en-us.lm.bin";
    const std::string dict = options.model_dir + "/cmudict-en-us.dict";
    // PocketSphinx logs to /dev/null below and would only say "failed"; name the missing piece.
    for (const auto& [path, what] :
         {std::pair{hmm + "/mdef", "acoustic model"}, std::pair{lm, "language model"},
          std::pair{dict, "pronunciation dictionary"}})
      if (!fs::is_regular_file(path))
        throw std::runtime_error(std::string("pocketsphinx: ") + what + " not found: " + path +
                                 " (install pocketsphinx-en-us or set the model directory)");

    config_ = cmd_ln_init(nullptr, ps_args(), TRUE, "-hmm", hmm.c_str(), "-lm", lm.c_str(), "-dict",
                          dict.c_str(), "-logfn", "/dev/null", nullptr);
    if (!config_)
      throw std::runtime_error("pocketsphinx: invalid configuration for model " + options.model_dir);
    decoder_ = ps_init(config_);
    if (!decoder_) {
      cmd_ln_free_r(config_);
      throw std::runtime_error("pocketsphinx: cannot load the model in " + options.model_dir);
    }
    frame_rate_ = cmd_ln_int32_r(config_, "-frate");
    sample_rate_ = static_cast<int>(cmd_ln_float32_r(config_, "-samprate"));
    // The search ps_init made from -lm ("_default"); not ps_get_search, which leaks an iterator.
    if (ps_search_iter_t* search = ps_search_iter(decoder_)) {
      default_search_ = ps_search_iter_val(search);
      while ((search = ps_search_iter_next(search)) != nullptr) // the last step frees it
        ;
    }

    // The front end for telephone audio: the model's own (its feat.params, read the way
    // ps_init reads it) without noise removal, which on upsampled 8 kHz audio takes the
    // empty band above 4 kHz for noise. It lowers the WER of 8 kHz μ-law speech, clean
    // or with pink noise added; at 16 kHz it does not help, so wideband audio keeps the
    // decoder's own front end. (Changing -upperf/-nfilt for the narrow band instead
    // moves the filters away from the ones the model was trained on: far worse.)
    narrow_config_ = cmd_ln_init(nullptr, ps_args(), TRUE, "-hmm", hmm.c_str(), "-remove_noise", "no",
                                 "-logfn", "/dev/null", nullptr);
    if (narrow_config_ && fs::is_regular_file(hmm + "/feat.params"))
      narrow_config_ = cmd_ln_parse_file_r(narrow_config_, ps_args(), (hmm + "/feat.params").c_str(), FALSE);
    if (narrow_config_)
      narrow_fe_ = fe_init_auto_r(narrow_config_);
    if (!narrow_fe_) {
      if (narrow_config_)
        cmd_ln_free_r(narrow_config_);
      ps_free(decoder_);
      cmd_ln_free_r(config_);
      throw std::runtime_error("pocketsphinx: cannot set up the telephone front end for " +
                               options.model_dir);
    }
  }

  ~pocketsphinx_engine() override {
    fe_free(narrow_fe_);
    cmd_ln_free_r(narrow_config_);
    ps_free(decoder_);
    cmd_ln_free_r(config_);
  }

  pocketsphinx_engine(const pocketsphinx_engine&) = delete;
  pocketsphinx_engine& operator=(const pocketsphinx_engine&) = delete;

  std::string name() const override { return "pocketsphinx"; }
  int sample_rate() const override { return sample_rate_; }

  channel_transcript transcribe_pcm16(const std::vector<std::int16_t>& samples,
                                      const recognition_hints& hints) override {
    if (samples.empty())
      return {};
    use_hints(hints);
    const bool narrowband = sample_rate_ == 16000 && high_band_share(samples) < narrowband_share;
    if (ps_start_utt(decoder_) < 0)
      throw std::runtime_error("pocketsphinx: cannot start an utterance");
    // The whole channel goes in as one full utterance: PocketSphinx then normalises
    // the cepstrum over the utterance itself (the model's batch CMN). Fed in chunks it
    // uses a running estimate carried over from the previous call instead, and the
    // same clip decoded after a different one comes out different (measured: "i need a
    // locksmith in boston" became "i need to look good and didn't").
    const int processed = narrowband ? process_narrowband(samples)
                                     : ps_process_raw(decoder_, samples.data(), samples.size(), FALSE, TRUE);
    if (processed < 0) {
      ps_end_utt(decoder_);
      throw std::runtime_error("pocketsphinx: decoding failed");
    }
    if (ps_end_utt(decoder_) < 0)
      throw std::runtime_error("pocketsphinx: cannot end the utterance");

    // The text is built from the segments rather than ps_get_hyp so that text and
    // segments always agree (same fillers dropped, same variants stripped).
    channel_transcript result;
    for (ps_seg_t* seg = ps_seg_iter(decoder_); seg != nullptr; seg = ps_seg_next(seg)) {
      const char* raw = ps_seg_word(seg);
      const std::string word = without_variant(raw ? raw : "");
      if (is_filler(word))
        continue;
      int first = 0, last = 0;
      ps_seg_frames(seg, &first, &last);
      // Frame numbers are inclusive: the word ends where the frame after `last` begins.
      result.segments.push_back(
          {static_cast<double>(first) / frame_rate_, static_cast<double>(last + 1) / frame_rate_, word});
      if (!result.text.empty())
        result.text += ' ';
      result.text += word;
    }
    return result;
  }

private:
  // What ps_process_raw does with a full utterance, with the telephone front end in
  // place of the decoder's: all the cepstra at once, then batch CMN and the search.
  int process_narrowband(const std::vector<std::int16_t>& samples) {
    const int16* data = samples.data();
    std::size_t remaining = samples.size();
    int32 frames = 0;
    if (fe_process_frames(narrow_fe_, nullptr, &remaining, nullptr, &frames, nullptr) < 0)
      return -1;
    const std::unique_ptr<mfcc_t*, void (*)(void*)> cepstra(
        static_cast<mfcc_t**>(ckd_calloc_2d(frames + 1, fe_get_output_size(narrow_fe_), sizeof(mfcc_t))),
        ckd_free_2d);
    fe_start_utt(narrow_fe_);
    if (fe_process_frames(narrow_fe_, &data, &remaining, cepstra.get(), &frames, nullptr) < 0)
      return -1;
    int32 tail = 0;
    fe_end_utt(narrow_fe_, cepstra.get()[frames], &tail);
    frames += tail;
    return frames == 0 ? 0 : ps_process_cep(decoder_, cepstra.get(), frames, FALSE, TRUE);
  }

  // Vocabulary hints: the main language model interpolated with a unigram model of
  // the hint words that the dictionary knows (0.8 has no grapheme-to-phoneme, so other
  // words cannot be added). Rebuilt only when the hints change; no hints, or none the
  // dictionary knows, or a failure building the model: the main model alone.
  void use_hints(const recognition_hints& hints) {
    std::vector<std::string> words;
    for (const auto& phrase : hints.phrases) {
      std::istringstream in(phrase);
      for (std::string word; in >> word;) {
        for (char& c : word)
          c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (std::find(words.begin(), words.end(), word) != words.end())
          continue;
        if (char* phones = ps_lookup_word(decoder_, word.c_str())) { // the caller frees it
          ckd_free(phones);
          words.push_back(word);
        }
      }
    }
    if (words != hint_words_) {
      // The search about to be replaced must not be the one in use when it is freed.
      ps_set_search(decoder_, default_search_.c_str());
      hint_words_.clear();
      if (!words.empty() && add_hint_search(words))
        hint_words_ = words;
    }
    ps_set_search(decoder_, hint_words_.empty() ? default_search_.c_str() : hint_search);
  }

  bool add_hint_search(const std::vector<std::string>& words) {
    // sphinxbase reads language models from files only.
    std::string path = (std::filesystem::temp_directory_path() / "callscribe-hints-XXXXXX").string();
    const int fd = ::mkstemp(path.data());
    if (fd < 0)
      return false;
    FILE* arpa = ::fdopen(fd, "w");
    if (!arpa) {
      ::close(fd);
      std::remove(path.c_str());
      return false;
    }
    const double log_prob = std::log10(1.0 / static_cast<double>(words.size() + 1));
    std::fprintf(arpa, "\\data\\\nngram 1=%zu\n\n\\1-grams:\n-99 <s>\n%.6f </s>\n", words.size() + 2,
                 log_prob);
    for (const auto& word : words)
      std::fprintf(arpa, "%.6f %s\n", log_prob, word.c_str());
    std::fprintf(arpa, "\n\\end\\\n");
    const bool written = std::fclose(arpa) == 0;
    ngram_model_t* hint_lm =
        written ? ngram_model_read(config_, path.c_str(), NGRAM_ARPA, ps_get_logmath(decoder_)) : nullptr;
    std::remove(path.c_str());
    if (!hint_lm)
      return false;
    // The set and the search retain the models they are given; the decoder keeps the main one.
    ngram_model_t* models[] = {ps_get_lm(decoder_, default_search_.c_str()), hint_lm};
    char main_name[] = "main", hint_name[] = "hints";
    char* names[] = {main_name, hint_name};
    const float32 weights[] = {1 - hint_weight, hint_weight};
    ngram_model_t* set = ngram_model_set_init(config_, models, names, weights, 2);
    ngram_model_free(hint_lm);
    if (!set)
      return false;
    // Replaces (and frees) the search built for the previous hints.
    const bool added = ps_set_lm(decoder_, hint_search, set) == 0;
    ngram_model_free(set);
    return added;
  }

  static constexpr const char* hint_search = "callscribe-hints";

  cmd_ln_t* config_ = nullptr;
  ps_decoder_t* decoder_ = nullptr;
  cmd_ln_t* narrow_config_ = nullptr;
  fe_t* narrow_fe_ = nullptr;
  std::string default_search_;
  std::vector<std::string> hint_words_; // those of the hint search, empty when there is none
  int frame_rate_ = 100;
  int sample_rate_ = 16000;
};

} // namespace

std::unique_ptr<speech_engine> make_pocketsphinx_engine(const pocketsphinx_options& options) {
  return std::make_unique<pocketsphinx_engine>(options);
}

} // namespace callscribe::speech
