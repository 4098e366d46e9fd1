// Decoding recordings in every form a call arrives in, and resampling them.
#define BOOST_TEST_MODULE speech
#include <boost/test/unit_test.hpp>

#include "speech/audio.hpp"
#include "tests/speech/recordings.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>

using namespace callscribe::speech;
using namespace callscribe::speech::test;

namespace {

struct scratch_cleanup {
  ~scratch_cleanup() {
    std::error_code ignored;
    std::filesystem::remove_all(scratch_dir(), ignored);
  }
};

double rms16(const std::vector<std::int16_t>& s) {
  std::vector<float> f;
  for (auto x : s)
    f.push_back(x / 32768.0f);
  return rms(f);
}

// The message must let an operator find the file without a debugger.
void check_names_file(const std::string& path) {
  try {
    decode_file(path);
    BOOST_ERROR("decode_file(" << path << ") did not throw");
  } catch (const audio_error& e) {
    BOOST_TEST_MESSAGE(e.what());
    BOOST_TEST(std::string(e.what()).find(path) != std::string::npos);
  }
}

struct phrase {
  std::string path = synthesize("I need a locksmith in Boston", "phrase16.wav");
  audio source = decode_file(path);
};

} // namespace

BOOST_TEST_GLOBAL_FIXTURE(scratch_cleanup);

BOOST_AUTO_TEST_SUITE(decoding)

BOOST_FIXTURE_TEST_CASE(flite_wav_is_16k_mono_pcm, phrase) {
  BOOST_TEST(source.sample_rate == 16000);
  BOOST_TEST(source.channels.size() == 1u);
  BOOST_TEST(source.seconds() > 1.0);
  BOOST_TEST(source.seconds() < 4.0);
  BOOST_TEST(rms(source.channels[0]) > 0.01);
}

BOOST_FIXTURE_TEST_CASE(pcm16_at_8k, phrase) {
  const auto telephone = resampled(source.channels[0], 16000, 8000);
  const audio a =
      decode_file(write_recording("pcm8k.wav", {telephone}, 8000, SF_FORMAT_WAV | SF_FORMAT_PCM_16));
  BOOST_TEST(a.sample_rate == 8000);
  BOOST_REQUIRE(a.channels.size() == 1u);
  BOOST_TEST(a.channels[0].size() == telephone.size());
  BOOST_TEST(a.seconds() == source.seconds(), boost::test_tools::tolerance(0.001));
  // PCM16 → float is exact: what was written is what comes back.
  BOOST_TEST(std::equal(a.channels[0].begin(), a.channels[0].end(), telephone.begin()));
}

BOOST_FIXTURE_TEST_CASE(mulaw_at_8k, phrase) {
  const auto telephone = resampled(source.channels[0], 16000, 8000);
  const audio a =
      decode_file(write_recording("ulaw8k.wav", {telephone}, 8000, SF_FORMAT_WAV | SF_FORMAT_ULAW));
  BOOST_TEST(a.sample_rate == 8000);
  BOOST_REQUIRE(a.channels.size() == 1u);
  BOOST_TEST(a.channels[0].size() == telephone.size());
  // μ-law keeps about 8 bits: the error is small next to the speech itself.
  std::vector<float> error(telephone.size());
  for (std::size_t i = 0; i < error.size(); ++i)
    error[i] = a.channels[0][i] - telephone[i];
  BOOST_TEST(rms(error) < 0.05 * rms(telephone));
}

BOOST_FIXTURE_TEST_CASE(dual_channel_keeps_channels_apart, phrase) {
  const auto left = sine(440, 8000, 1.0, 0.5f);
  const auto right = sine(1000, 8000, 1.0, 0.1f);
  const audio a =
      decode_file(write_recording("dual.wav", {left, right}, 8000, SF_FORMAT_WAV | SF_FORMAT_PCM_16));
  BOOST_TEST(a.sample_rate == 8000);
  BOOST_REQUIRE(a.channels.size() == 2u);
  BOOST_TEST(a.seconds() == 1.0, boost::test_tools::tolerance(0.001));
  BOOST_TEST(rms(a.channels[0]) == rms(left), boost::test_tools::tolerance(0.001));
  BOOST_TEST(rms(a.channels[1]) == rms(right), boost::test_tools::tolerance(0.001));
}

// libsndfile 1.2 encodes MP3 through LAME as well as decoding it through mpg123.
BOOST_FIXTURE_TEST_CASE(mp3, phrase) {
  const std::string path =
      write_recording("phrase.mp3", source.channels, 16000, SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III);
  const audio a = decode_file(path);
  BOOST_TEST(a.sample_rate == 16000);
  BOOST_TEST(a.channels.size() == 1u);
  // Encoder delay and frame padding may add or trim a frame or two (about 36 ms each).
  BOOST_TEST(std::abs(a.seconds() - source.seconds()) < 0.1);
  BOOST_TEST(rms(a.channels[0]) == rms(source.channels[0]), boost::test_tools::tolerance(0.2));
}

BOOST_AUTO_TEST_CASE(missing_file_names_the_file) {
  check_names_file(scratch_file("no-such-recording.wav"));
}

BOOST_AUTO_TEST_CASE(non_audio_file_names_the_file) {
  const std::string path = scratch_file("not-audio.wav");
  std::ofstream(path) << "<html><body>404 Not Found</body></html>\n";
  check_names_file(path);
}

BOOST_AUTO_TEST_CASE(zero_byte_file_names_the_file) {
  const std::string path = scratch_file("empty.wav");
  std::ofstream{path};
  check_names_file(path);
}

BOOST_AUTO_TEST_CASE(wav_without_samples_names_the_file) {
  const std::string path = scratch_file("no-samples.wav");
  SF_INFO info{};
  info.samplerate = 8000;
  info.channels = 1;
  info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  sf_close(sf_open(path.c_str(), SFM_WRITE, &info));
  check_names_file(path);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(resampling)

BOOST_AUTO_TEST_CASE(same_rate_only_converts) {
  const std::vector<float> s{0.0f, 0.5f, -0.5f, 1.0f, -1.0f, 0.25f};
  const auto out = to_pcm16(s, 16000, 16000);
  const std::vector<std::int16_t> expected{0, 16384, -16384, 32767, -32768, 8192};
  BOOST_TEST(out == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(clips_instead_of_wrapping) {
  const auto out = to_pcm16({1.5f, -1.5f, 3.0f}, 8000, 8000);
  const std::vector<std::int16_t> expected{32767, -32768, 32767};
  BOOST_TEST(out == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(length_follows_the_rate_ratio) {
  const auto s = sine(440, 8000, 2.0);
  for (const auto& [to, ratio] : {std::pair{16000, 2.0}, {44100, 44100.0 / 8000}, {4000, 0.5}}) {
    const auto out = to_pcm16(s, 8000, to);
    BOOST_TEST_INFO("8000 → " << to);
    BOOST_TEST(std::abs(static_cast<double>(out.size()) - s.size() * ratio) <= 2.0);
  }
}

BOOST_AUTO_TEST_CASE(keeps_a_tone_in_band) {
  // 440 Hz is far inside both bands: upsampled and downsampled it keeps its level.
  const auto s = sine(440, 8000, 1.0);
  BOOST_TEST(rms16(to_pcm16(s, 8000, 16000)) == rms(s), boost::test_tools::tolerance(0.02));
  const auto s16 = sine(440, 16000, 1.0);
  BOOST_TEST(rms16(to_pcm16(s16, 16000, 8000)) == rms(s16), boost::test_tools::tolerance(0.02));
}

BOOST_AUTO_TEST_CASE(drops_what_the_new_rate_cannot_hold) {
  // 6 kHz cannot exist at 8 kHz: downsampling must filter it out, not fold it to 2 kHz.
  const auto s = sine(6000, 16000, 1.0);
  BOOST_TEST(rms16(to_pcm16(s, 16000, 8000)) < 0.01 * rms(s));
}

BOOST_AUTO_TEST_CASE(empty_stays_empty) {
  BOOST_TEST(to_pcm16({}, 8000, 16000).empty());
}

BOOST_AUTO_TEST_CASE(bad_rate_is_an_audio_error) {
  BOOST_CHECK_THROW(to_pcm16({0.1f}, 0, 16000), audio_error);
}

BOOST_AUTO_TEST_CASE(seconds_of_decoded_audio) {
  audio a;
  BOOST_TEST(a.seconds() == 0.0);
  a.sample_rate = 8000;
  a.channels = {std::vector<float>(12000), std::vector<float>(12000)};
  BOOST_TEST(a.seconds() == 1.5);
}

BOOST_AUTO_TEST_SUITE_END()
