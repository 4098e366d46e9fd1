// Real recognition with PocketSphinx on speech synthesised by flite: at 16 kHz, after
// 8 kHz PCM and μ-law telephone encodings, and on dual-channel calls.
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "speech/speech_engine.hpp"
#include "tests/speech/recordings.hpp"

#include <chrono>
#include <iostream>

using namespace callscribe::speech;
using namespace callscribe::speech::test;
namespace data = boost::unit_test::data;

namespace {

// Loading the model takes a moment and ~90 MB, so every test shares one engine.
speech_engine& engine() {
  static const std::unique_ptr<speech_engine> shared = [] {
    const auto started = std::chrono::steady_clock::now();
    auto e = make_pocketsphinx_engine();
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
    BOOST_TEST_MESSAGE("pocketsphinx model loaded in " << took.count() << " s");
    return e;
  }();
  return *shared;
}

bool contains(const std::string& text, const std::string& word) {
  return text.find(word) != std::string::npos;
}

struct utterance {
  std::string text;               // what flite says
  std::vector<std::string> words; // what must come through recognition
};

std::ostream& operator<<(std::ostream& out, const utterance& u) {
  return out << '"' << u.text << '"';
}

// Each a service and a US city, the shape of a lead. With flite's rms voice these come
// through whole at 16 kHz, 8 kHz PCM and 8 kHz μ-law (checked on Debian 12's
// flite 2.2 and pocketsphinx 0.8+5prealpha); the test holds the words the pipeline needs.
const std::vector<utterance> leads{
    {"I need a locksmith in Boston", {"locksmith", "boston"}},
    {"I need a plumber in Houston", {"plumber", "houston"}},
    {"I need an electrician in Seattle", {"electrician", "seattle"}},
};

enum class encoding { wideband, pcm8k, ulaw8k };

// The recording as a call would deliver it.
audio recorded(const utterance& u, encoding e) {
  static int n = 0;
  const std::string name = "utterance" + std::to_string(++n);
  const audio wide = decode_file(synthesize(u.text, name + ".wav"));
  if (e == encoding::wideband)
    return wide;
  const int format = SF_FORMAT_WAV | (e == encoding::pcm8k ? SF_FORMAT_PCM_16 : SF_FORMAT_ULAW);
  return decode_file(
      write_recording(name + "-8k.wav", {resampled(wide.channels[0], wide.sample_rate, 8000)}, 8000, format));
}

void check_recognised(const utterance& u, encoding e, const char* label) {
  const transcription t = transcribe(engine(), recorded(u, e));
  BOOST_TEST_MESSAGE(label << " " << u << " → \"" << t.text << '"');
  for (const auto& w : u.words)
    BOOST_TEST(contains(t.text, w), label << ": \"" << w << "\" not in \"" << t.text << '"');
}

} // namespace

BOOST_AUTO_TEST_SUITE(recognition)

BOOST_DATA_TEST_CASE(wideband_16k, data::make(leads), u) {
  check_recognised(u, encoding::wideband, "16 kHz");
}

BOOST_DATA_TEST_CASE(telephone_pcm_8k, data::make(leads), u) {
  check_recognised(u, encoding::pcm8k, "8 kHz PCM");
}

BOOST_DATA_TEST_CASE(telephone_mulaw_8k, data::make(leads), u) {
  check_recognised(u, encoding::ulaw8k, "8 kHz μ-law");
}

BOOST_AUTO_TEST_CASE(transcription_is_filled_in) {
  const audio a = recorded(leads[0], encoding::pcm8k);
  const transcription t = transcribe(engine(), a);
  BOOST_TEST(t.engine == "pocketsphinx");
  BOOST_TEST(t.audio_seconds == a.seconds());
  BOOST_TEST(t.rtf > 0.0);
  BOOST_REQUIRE(t.channels.size() == 1u);
  const channel_transcript& caller = t.channels[0];
  BOOST_TEST(caller.speaker == "caller");
  BOOST_TEST(t.text == caller.text);

  // Segments are the words of the text, in order, inside the recording, without
  // fillers (<s>, <sil>, [NOISE]) or pronunciation variants ("a(2)").
  BOOST_REQUIRE(!caller.segments.empty());
  std::string joined;
  double previous_end = 0;
  for (const segment& s : caller.segments) {
    BOOST_TEST_INFO("segment \"" << s.text << "\" " << s.start << "–" << s.end);
    BOOST_TEST(s.start < s.end);
    BOOST_TEST(s.start >= previous_end - 1e-9);
    BOOST_TEST(s.end <= a.seconds() + 0.02);
    BOOST_TEST(s.text.find_first_of("<>[]()+") == std::string::npos);
    previous_end = s.end;
    joined += (joined.empty() ? "" : " ") + s.text;
  }
  BOOST_TEST(joined == caller.text);
}

BOOST_AUTO_TEST_CASE(same_clip_same_words_whatever_came_before) {
  // The engine object lives for the whole server: one call must not colour the next.
  const audio a = recorded(leads[1], encoding::pcm8k);
  const audio other = recorded({"we can have a technician there in an hour", {}}, encoding::wideband);
  const std::string first = transcribe(engine(), a).text;
  transcribe(engine(), other);
  BOOST_TEST(transcribe(engine(), a).text == first);
}

BOOST_AUTO_TEST_CASE(silence_gives_no_text) {
  audio a;
  a.sample_rate = 8000;
  a.channels = {std::vector<float>(16000, 0.0f)};
  const transcription t = transcribe(engine(), a);
  BOOST_TEST(t.text.empty());
  BOOST_REQUIRE(t.channels.size() == 1u);
  BOOST_TEST(t.channels[0].segments.empty());
}

BOOST_AUTO_TEST_CASE(rtf_on_a_five_second_clip) {
  const audio a = decode_file(
      synthesize("My door is locked and I lost my keys. I need a locksmith in Boston.", "five-seconds.wav"));
  BOOST_TEST_REQUIRE(a.seconds() > 4.0);
  BOOST_TEST_REQUIRE(a.seconds() < 6.0);
  engine(); // loaded already or now, but not inside the timing
  const transcription t = transcribe(engine(), a);
  BOOST_TEST_MESSAGE("RTF " << t.rtf << " on " << t.audio_seconds << " s: \"" << t.text << '"');
  // Telephone audio pays for the upsampling too.
  const audio narrow{8000, {resampled(a.channels[0], a.sample_rate, 8000)}};
  const transcription t8 = transcribe(engine(), narrow);
  BOOST_TEST_MESSAGE("RTF " << t8.rtf << " on " << t8.audio_seconds << " s at 8 kHz: \"" << t8.text << '"');
  // Far below real time on any machine that can run the server at all.
  BOOST_TEST(t.rtf < 1.0);
  BOOST_TEST(t8.rtf < 1.0);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(dual_channel)

// A Twilio dual-channel recording: the caller on the first channel, the business on the second.
struct call {
  audio a;
  call(const std::string& caller_says, const std::string& business_says) {
    const audio caller = decode_file(synthesize(caller_says, "caller.wav"));
    auto left = resampled(caller.channels[0], caller.sample_rate, 8000);
    std::vector<float> right;
    if (!business_says.empty()) {
      const audio business = decode_file(synthesize(business_says, "business.wav"));
      right = resampled(business.channels[0], business.sample_rate, 8000);
    }
    const std::size_t frames = std::max(left.size(), right.size());
    left.resize(frames, 0.0f);
    right.resize(frames, 0.0f);
    a = decode_file(write_recording("call.wav", {left, right}, 8000, SF_FORMAT_WAV | SF_FORMAT_PCM_16));
  }
};

BOOST_AUTO_TEST_CASE(caller_and_business_apart) {
  const call c("I need a locksmith in Boston", "we can have a technician there in an hour");
  BOOST_REQUIRE(c.a.channels.size() == 2u);
  const transcription t = transcribe(engine(), c.a);
  BOOST_TEST_MESSAGE("caller: \"" << t.channels.at(0).text << "\" business: \"" << t.channels.at(1).text
                                  << '"');
  BOOST_REQUIRE(t.channels.size() == 2u);
  BOOST_TEST(t.channels[0].speaker == "caller");
  BOOST_TEST(t.channels[1].speaker == "business");
  BOOST_TEST(contains(t.channels[0].text, "locksmith"));
  BOOST_TEST(contains(t.channels[0].text, "boston"));
  BOOST_TEST(!contains(t.channels[0].text, "technician"));
  BOOST_TEST(contains(t.channels[1].text, "technician"));
  BOOST_TEST(!contains(t.channels[1].text, "locksmith"));
  // Both spoke: labelled, the caller first, for the extractor to read the caller first.
  BOOST_TEST(t.text == "Caller: " + t.channels[0].text + "\nBusiness: " + t.channels[1].text);
  BOOST_TEST(t.audio_seconds == c.a.seconds());
}

BOOST_AUTO_TEST_CASE(silent_business_adds_no_empty_line) {
  const call c("I need a plumber in Houston", "");
  const transcription t = transcribe(engine(), c.a);
  BOOST_REQUIRE(t.channels.size() == 2u);
  BOOST_TEST(t.channels[1].speaker == "business");
  BOOST_TEST(t.channels[1].text.empty());
  BOOST_TEST(t.text == t.channels[0].text);
  BOOST_TEST(contains(t.text, "plumber"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_CASE(missing_model_is_named) {
  try {
    make_pocketsphinx_engine({"/nonexistent/pocketsphinx-model"});
    BOOST_ERROR("no exception for a missing model");
  } catch (const std::runtime_error& e) {
    BOOST_TEST_MESSAGE(e.what());
    BOOST_TEST(contains(e.what(), "/nonexistent/pocketsphinx-model/en-us"));
  }
}
