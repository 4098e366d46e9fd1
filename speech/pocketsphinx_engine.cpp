// The embedded speech engine: CMU PocketSphinx 0.8 (5prealpha) with its US English model.
#include "speech/speech_engine.hpp"

#include <pocketsphinx.h>

#include <filesystem>

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
  }

  ~pocketsphinx_engine() override {
    ps_free(decoder_);
    cmd_ln_free_r(config_);
  }

  pocketsphinx_engine(const pocketsphinx_engine&) = delete;
  pocketsphinx_engine& operator=(const pocketsphinx_engine&) = delete;

  std::string name() const override { return "pocketsphinx"; }
  int sample_rate() const override { return sample_rate_; }

  channel_transcript transcribe_pcm16(const std::vector<std::int16_t>& samples,
                                      const recognition_hints&) override {
    if (samples.empty())
      return {};
    if (ps_start_utt(decoder_) < 0)
      throw std::runtime_error("pocketsphinx: cannot start an utterance");
    // The whole channel goes in as one full utterance: PocketSphinx then normalises
    // the cepstrum over the utterance itself (the model's batch CMN). Fed in chunks it
    // uses a running estimate carried over from the previous call instead, and the
    // same clip decoded after a different one comes out different (measured: "i need a
    // locksmith in boston" became "i need to look good and didn't").
    if (ps_process_raw(decoder_, samples.data(), samples.size(), FALSE, TRUE) < 0) {
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
  cmd_ln_t* config_ = nullptr;
  ps_decoder_t* decoder_ = nullptr;
  int frame_rate_ = 100;
  int sample_rate_ = 16000;
};

} // namespace

std::unique_ptr<speech_engine> make_pocketsphinx_engine(const pocketsphinx_options& options) {
  return std::make_unique<pocketsphinx_engine>(options);
}

} // namespace callscribe::speech
