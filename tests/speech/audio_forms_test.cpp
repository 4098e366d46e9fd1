// Every form a recording arrives in, made at test time (libsndfile, sox, flite),
// decoded and resampled; the ways a file can be broken; silence; labelled transcripts.
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "speech/audio.hpp"
#include "speech/speech_engine.hpp"
#include "tests/speech/recordings.hpp"

#include <sys/stat.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <random>

using namespace callscribe::speech;
using namespace callscribe::speech::test;
namespace data = boost::unit_test::data;

namespace {

double seconds_since(std::chrono::steady_clock::time_point started) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
}

double level16(const std::vector<std::int16_t>& s) {
  std::vector<float> f;
  for (auto x : s)
    f.push_back(static_cast<float>(x) / 32768.0f);
  return rms(f);
}

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

void run(const std::string& command) {
  BOOST_TEST_MESSAGE(command);
  if (std::system(command.c_str()) != 0)
    throw std::runtime_error("failed: " + command);
}

// Refused with one line that names the file and says what is wrong.
void expect_refusal(const std::string& path, const std::string& why, double max_seconds = max_audio_seconds) {
  try {
    decode_file(path, max_seconds);
    BOOST_ERROR("decode_file(" << path << ") did not throw");
  } catch (const audio_error& e) {
    const std::string message = e.what();
    BOOST_TEST_MESSAGE(message);
    BOOST_TEST(message.find(path) != std::string::npos, message);
    BOOST_TEST(message.find(why) != std::string::npos, message);
    BOOST_TEST(message.find('\n') == std::string::npos, message);
  }
}

enum class encoding { pcm16, ulaw, alaw };

std::ostream& operator<<(std::ostream& out, encoding e) {
  return out << (e == encoding::pcm16 ? "PCM16" : e == encoding::ulaw ? "mu-law" : "A-law");
}

int format_of(encoding e) {
  return SF_FORMAT_WAV | (e == encoding::pcm16  ? SF_FORMAT_PCM_16
                          : e == encoding::ulaw ? SF_FORMAT_ULAW
                                                : SF_FORMAT_ALAW);
}

const std::vector<int> rates{8000, 16000, 22050, 44100, 48000};
const std::vector<int> channel_counts{1, 2};
const std::vector<encoding> encodings{encoding::pcm16, encoding::ulaw, encoding::alaw};

// Two different tones, so a swap of the channels shows.
std::vector<std::vector<float>> call_channels(int rate, int channels, double seconds) {
  std::vector<std::vector<float>> c{sine(440, rate, seconds, 0.5f)};
  if (channels == 2)
    c.push_back(sine(1000, rate, seconds, 0.2f));
  return c;
}

// The length the resampler must give, and that a tone keeps its level through it.
void check_resamples_to_16k(const audio& a) {
  for (const auto& c : a.channels) {
    const auto out = to_pcm16(c, a.sample_rate, 16000);
    const double expected = static_cast<double>(c.size()) * 16000 / a.sample_rate;
    BOOST_TEST(std::abs(static_cast<double>(out.size()) - expected) <= 2.0,
               a.sample_rate << " Hz → 16 kHz: " << out.size() << " samples, expected " << expected);
    BOOST_TEST(level16(out) == rms(c), boost::test_tools::tolerance(0.03));
  }
}

// flite's speech, once for the whole file.
const std::string& phrase_path() {
  static const std::string path = synthesize("I need a plumber in Houston", "forms-phrase.wav");
  return path;
}

// MPEG audio frame length from its header, to step over the Xing/LAME frame.
std::size_t mpeg_frame_bytes(const unsigned char* h) {
  static const int mpeg1_kbps[] = {0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320};
  static const int mpeg2_kbps[] = {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160};
  static const int rates_by_version[4][3] = {
      {11025, 12000, 8000}, {0, 0, 0}, {22050, 24000, 16000}, {44100, 48000, 32000}};
  const int version = (h[1] >> 3) & 3; // 3: MPEG-1, 2: MPEG-2, 0: MPEG-2.5
  const int kbps = (version == 3 ? mpeg1_kbps : mpeg2_kbps)[(h[2] >> 4) & 15];
  const int rate = rates_by_version[version][(h[2] >> 2) & 3];
  const int padding = (h[2] >> 1) & 1;
  return static_cast<std::size_t>((version == 3 ? 144000 : 72000) * kbps / rate + padding);
}

} // namespace

BOOST_AUTO_TEST_SUITE(audio_forms)

BOOST_DATA_TEST_CASE(wav_at_every_rate_and_encoding,
                     data::make(rates) * data::make(channel_counts) * data::make(encodings), rate, channels,
                     enc) {
  const auto written = call_channels(rate, channels, 1.5);
  const std::string name = "form-" + std::to_string(rate) + "-" + std::to_string(channels) + "-" +
                           std::to_string(static_cast<int>(enc)) + ".wav";
  const audio a = decode_file(write_recording(name, written, rate, format_of(enc)));
  BOOST_TEST(a.sample_rate == rate);
  BOOST_REQUIRE(a.channels.size() == static_cast<std::size_t>(channels));
  BOOST_TEST(a.seconds() == 1.5, boost::test_tools::tolerance(1e-6));
  for (std::size_t ch = 0; ch < written.size(); ++ch) {
    // μ-law and A-law keep about 8 bits: the error is small next to the signal.
    std::vector<float> error(written[ch].size());
    for (std::size_t i = 0; i < error.size(); ++i)
      error[i] = a.channels[ch][i] - written[ch][i];
    BOOST_TEST(rms(error) < (enc == encoding::pcm16 ? 1e-4 : 0.05) * rms(written[ch]), "channel " << ch);
  }
  check_resamples_to_16k(a);
}

// LAME through libsndfile writes them; mpg123 reads them back.
BOOST_DATA_TEST_CASE(mp3_at_every_rate, data::make(rates) * data::make(channel_counts), rate, channels) {
  const auto written = call_channels(rate, channels, 2.0);
  const std::string name = "form-" + std::to_string(rate) + "-" + std::to_string(channels) + ".mp3";
  const audio a =
      decode_file(write_recording(name, written, rate, SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III));
  BOOST_TEST(a.sample_rate == rate);
  BOOST_REQUIRE(a.channels.size() == static_cast<std::size_t>(channels));
  // Encoder delay and padding may add or trim a frame or two.
  BOOST_TEST(std::abs(a.seconds() - 2.0) < 0.1, a.seconds() << " s");
  for (std::size_t ch = 0; ch < written.size(); ++ch)
    BOOST_TEST(rms(a.channels[ch]) == rms(written[ch]), boost::test_tools::tolerance(0.2));
  check_resamples_to_16k(a);
}

// Without the Xing frame a VBR file's length is unknown until the end: libsndfile
// stops at its estimate from the first frames, mpg123 reads to the end.
BOOST_AUTO_TEST_CASE(mp3_without_a_length_header_is_read_whole) {
  const std::string full = write_recording("vbr.mp3", call_channels(44100, 2, 2.0), 44100,
                                           SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III);
  const std::string bytes = read_bytes(full);
  const auto* header = reinterpret_cast<const unsigned char*>(bytes.data());
  BOOST_REQUIRE(header[0] == 0xFF);
  const std::size_t first = mpeg_frame_bytes(header);
  BOOST_REQUIRE(first < bytes.size());
  BOOST_REQUIRE(static_cast<unsigned char>(bytes[first]) == 0xFF); // the next frame's sync
  const std::string bare = scratch_file("vbr-bare.mp3");
  write_bytes(bare, bytes.substr(first));

  SF_INFO info{};
  SNDFILE* f = sf_open(bare.c_str(), SFM_READ, &info);
  BOOST_REQUIRE(f);
  BOOST_TEST_MESSAGE("libsndfile's estimate: " << info.frames << " frames of 88200");
  sf_close(f);

  const audio a = decode_file(bare);
  BOOST_TEST(a.channels.size() == 2u);
  BOOST_TEST(std::abs(a.seconds() - 2.0) < 0.1, a.seconds() << " s");
}

// Another writer's WAVs (sox's headers differ from libsndfile's: fact chunks,
// extensible formats), from flite's speech.
BOOST_DATA_TEST_CASE(sox_made_wavs,
                     data::make(std::vector<std::string>{
                         "-r 8000 -e u-law", "-r 8000 -e a-law", "-r 8000 -e signed -b 16 -c 2",
                         "-r 22050 -e u-law", "-r 44100 -e signed -b 16 -c 2", "-r 48000 -e a-law"}),
                     options) {
  const audio source = decode_file(phrase_path());
  static int n = 0;
  const std::string out = scratch_file("sox-" + std::to_string(++n) + ".wav");
  run("sox '" + phrase_path() + "' " + options + " '" + out + "'");
  const audio a = decode_file(out);
  const int rate = std::stoi(options.substr(3));
  BOOST_TEST(a.sample_rate == rate);
  BOOST_TEST(a.channels.size() == (options.find("-c 2") != std::string::npos ? 2u : 1u));
  BOOST_TEST(a.seconds() == source.seconds(), boost::test_tools::tolerance(0.01));
  // Speech lives below 4 kHz here (flite at 16 kHz), so every rate keeps its level.
  BOOST_TEST(rms(a.channels[0]) == rms(source.channels[0]), boost::test_tools::tolerance(0.1));
  check_resamples_to_16k(a);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(broken_files)

BOOST_AUTO_TEST_CASE(empty_file_says_empty) {
  const std::string path = scratch_file("broken-empty.wav");
  write_bytes(path, "");
  expect_refusal(path, "the file is empty");
}

BOOST_AUTO_TEST_CASE(random_bytes) {
  std::mt19937 random(20240611);
  std::string bytes(20000, '\0');
  for (auto& b : bytes)
    b = static_cast<char>(random() & 0xFF);
  const std::string path = scratch_file("broken-random.wav");
  write_bytes(path, bytes);
  expect_refusal(path, "not recognised");
}

BOOST_AUTO_TEST_CASE(text_file) {
  const std::string path = scratch_file("broken-text.mp3");
  write_bytes(path, "<?xml version='1.0'?><TwilioResponse><RestException><Status>404</Status>");
  expect_refusal(path, "not audio: text starting \"<?xml version='1.0'?><TwilioResponse><Re\"");
}

// An MPEG sync word and then noise: mpg123 finds no frame it can trust.
BOOST_AUTO_TEST_CASE(corrupt_mp3) {
  std::mt19937 random(7);
  std::string bytes = "\xff\xfb\x90\x64";
  for (int i = 0; i < 20000; ++i)
    bytes += static_cast<char>(random() & 0xFF);
  const std::string path = scratch_file("broken.mp3");
  write_bytes(path, bytes);
  expect_refusal(path, "not audio that libsndfile or mpg123 can read");
}

BOOST_AUTO_TEST_CASE(wav_with_zero_frames) {
  const std::string path = scratch_file("broken-no-frames.wav");
  SF_INFO info{};
  info.samplerate = 8000;
  info.channels = 2;
  info.format = SF_FORMAT_WAV | SF_FORMAT_ULAW;
  sf_close(sf_open(path.c_str(), SFM_WRITE, &info));
  expect_refusal(path, "no audio samples");
}

// Decision: a WAV cut short (the header promises more than the file holds) is
// read as far as it goes; only a header that cannot be read, or no whole
// sample after it, is refused.
BOOST_AUTO_TEST_CASE(truncated_wav_keeps_what_is_there) {
  const std::string whole =
      write_recording("whole.wav", call_channels(8000, 2, 2.0), 8000, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
  const std::string bytes = read_bytes(whole);
  const std::size_t header = bytes.find("data") + 8;
  BOOST_REQUIRE(header == 44u);

  const std::string half = scratch_file("truncated-half.wav");
  write_bytes(half, bytes.substr(0, header + 8000 * 4)); // one second of two channels
  const audio a = decode_file(half);
  BOOST_TEST(a.channels.size() == 2u);
  BOOST_TEST(a.seconds() == 1.0, boost::test_tools::tolerance(1e-6));

  const std::string in_header = scratch_file("truncated-header.wav");
  write_bytes(in_header, bytes.substr(0, 30));
  expect_refusal(in_header, "data");

  const std::string no_sample = scratch_file("truncated-no-sample.wav");
  write_bytes(no_sample, bytes.substr(0, header + 3)); // less than one frame
  expect_refusal(no_sample, "no audio samples");
}

BOOST_AUTO_TEST_CASE(truncated_mp3_keeps_what_is_there) {
  const std::string whole = write_recording("whole.mp3", call_channels(8000, 1, 2.0), 8000,
                                            SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III);
  const std::string bytes = read_bytes(whole);
  const std::string half = scratch_file("truncated.mp3");
  write_bytes(half, bytes.substr(0, bytes.size() / 2));
  const audio a = decode_file(half);
  BOOST_TEST(a.seconds() > 0.5);
  BOOST_TEST(a.seconds() < 1.5);
}

// Writers that stream set the sizes to 0xFFFFFFFF ("unknown"); the data is all there.
BOOST_AUTO_TEST_CASE(streaming_wav_with_unknown_length) {
  std::string bytes = read_bytes(
      write_recording("streamed.wav", call_channels(8000, 1, 1.0), 8000, SF_FORMAT_WAV | SF_FORMAT_PCM_16));
  const std::string unknown = "\xff\xff\xff\xff";
  bytes.replace(4, 4, unknown);
  bytes.replace(bytes.find("data") + 4, 4, unknown);
  const std::string path = scratch_file("streamed-unknown.wav");
  write_bytes(path, bytes);
  BOOST_TEST(decode_file(path).seconds() == 1.0, boost::test_tools::tolerance(1e-6));
}

// 16000 samples at a claimed 1 Hz would be four and a half hours.
BOOST_AUTO_TEST_CASE(absurd_sample_rate) {
  std::string bytes = read_bytes(
      write_recording("one-hertz.wav", call_channels(8000, 1, 2.0), 8000, SF_FORMAT_WAV | SF_FORMAT_PCM_16));
  bytes.replace(24, 8, std::string("\x01\x00\x00\x00\x02\x00\x00\x00", 8)); // rate 1, 2 bytes/s
  const std::string path = scratch_file("one-hertz-claim.wav");
  write_bytes(path, bytes);
  expect_refusal(path, "sample rate of 1 Hz");
}

// A header and a sparse file that claim 4.5 hours: refused from the header, at once.
BOOST_AUTO_TEST_CASE(absurdly_long_recording) {
  const std::string small =
      write_recording("long-header.wav", call_channels(8000, 1, 0.1), 8000, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
  std::string bytes = read_bytes(small).substr(0, 44);
  const std::uint32_t data_bytes = 8000u * 2 * 3600 * 9 / 2;
  for (int i = 0; i < 4; ++i) {
    bytes[static_cast<std::size_t>(40 + i)] = static_cast<char>((data_bytes >> (8 * i)) & 0xFF);
    bytes[static_cast<std::size_t>(4 + i)] = static_cast<char>(((data_bytes + 36) >> (8 * i)) & 0xFF);
  }
  const std::string path = scratch_file("four-and-a-half-hours.wav");
  write_bytes(path, bytes);
  BOOST_REQUIRE(::truncate(path.c_str(), static_cast<off_t>(44 + data_bytes)) == 0);
  const auto started = std::chrono::steady_clock::now();
  expect_refusal(path, "lasts 4.5 h, longer than the 4 h limit");
  BOOST_TEST(seconds_since(started) < 1.0);
}

// The limit also holds while reading, where the length is only known at the end (MP3).
BOOST_AUTO_TEST_CASE(length_limit_while_reading) {
  const std::string wav = write_recording("two-seconds.wav", call_channels(16000, 1, 2.0), 16000,
                                          SF_FORMAT_WAV | SF_FORMAT_PCM_16);
  expect_refusal(wav, "longer than the 1 s limit", 1.0);
  BOOST_TEST(decode_file(wav, 2.0).seconds() == 2.0);
  const std::string mp3 = write_recording("two-seconds.mp3", call_channels(16000, 1, 2.0), 16000,
                                          SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III);
  expect_refusal(mp3, "longer than the 1 s limit", 1.0);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(silence)

BOOST_AUTO_TEST_CASE(digital_silence_and_nothing_are_silent) {
  BOOST_TEST(silent(std::vector<float>(8000, 0.0f), 8000));
  BOOST_TEST(silent(std::vector<float>{}, 8000));
  BOOST_TEST(silent(std::vector<std::int16_t>(16000, 0), 16000));
}

BOOST_AUTO_TEST_CASE(the_threshold_is_minus_50_dbfs_rms) {
  // A sine's RMS is its amplitude / √2.
  const double at_threshold = std::pow(10.0, silence_dbfs / 20) * std::sqrt(2.0);
  BOOST_TEST(silent(sine(440, 8000, 1.0, static_cast<float>(at_threshold * 0.8)), 8000));
  BOOST_TEST(!silent(sine(440, 8000, 1.0, static_cast<float>(at_threshold * 1.25)), 8000));
  // Line hiss at −65 dBFS is silence.
  std::mt19937 random(1);
  std::normal_distribution<float> hiss(0.0f, static_cast<float>(std::pow(10.0, -65.0 / 20)));
  std::vector<float> line(80000);
  for (auto& x : line)
    x = hiss(random);
  BOOST_TEST(silent(line, 8000));
}

// Judged over 100 ms stretches: one short word in a long quiet leg still counts.
BOOST_AUTO_TEST_CASE(a_short_word_in_a_long_silence_is_not_silent) {
  std::vector<float> leg(8000 * 600, 0.0f); // ten minutes
  const auto word = sine(300, 8000, 0.3, 0.1f);
  std::copy(word.begin(), word.end(), leg.begin() + 8000 * 300);
  BOOST_TEST(!silent(leg, 8000));
  // A lone click is not speech; 20 ms of sound is heard.
  std::vector<std::int16_t> leg16(16000 * 60, 0);
  leg16[16000 * 30] = 3000;
  BOOST_TEST(silent(leg16, 16000));
  for (std::size_t i = 0; i < 320; ++i)
    leg16[16000 * 30 + i] = static_cast<std::int16_t>(3000 * std::sin(static_cast<double>(i)));
  BOOST_TEST(!silent(leg16, 16000));
}

BOOST_AUTO_TEST_SUITE_END()

namespace {

// Says which channel it heard, by its length and first sample; counts its calls.
class counting_engine : public speech_engine {
public:
  int calls = 0;
  std::string name() const override { return "counting"; }
  int sample_rate() const override { return 16000; }
  channel_transcript transcribe_pcm16(const std::vector<std::int16_t>& samples,
                                      const recognition_hints&) override {
    ++calls;
    return {"", samples.size() > 20000 ? "i need a locksmith in boston" : "we will be there in an hour", {}};
  }
};

} // namespace

BOOST_AUTO_TEST_SUITE(transcribing_channels)

BOOST_AUTO_TEST_CASE(silent_channels_cost_nothing) {
  counting_engine engine;
  audio a{8000, {sine(300, 8000, 2.0, 0.3f), std::vector<float>(16000, 0.0f)}};
  const transcription t = transcribe(engine, a);
  BOOST_TEST(engine.calls == 1);
  BOOST_REQUIRE(t.channels.size() == 2u);
  BOOST_TEST(t.channels[1].speaker == "business");
  BOOST_TEST(t.channels[1].text.empty());
  BOOST_TEST(t.channels[1].segments.empty());
  // One speaker: no label.
  BOOST_TEST(t.text == "i need a locksmith in boston");

  audio quiet{8000, {std::vector<float>(8000, 0.0f)}};
  BOOST_TEST(transcribe(engine, quiet).text.empty());
  BOOST_TEST(engine.calls == 1);
}

BOOST_AUTO_TEST_CASE(two_speakers_are_labelled_caller_first) {
  counting_engine engine;
  audio a{8000, {sine(300, 8000, 2.0, 0.3f), sine(300, 8000, 2.0, 0.3f)}};
  a.channels[1].resize(8000); // the business's one second
  const transcription t = transcribe(engine, a);
  BOOST_TEST(engine.calls == 2);
  BOOST_TEST(t.text == "Caller: i need a locksmith in boston\nBusiness: we will be there in an hour");
}

BOOST_AUTO_TEST_CASE(only_the_business_speaking_is_plain) {
  counting_engine engine;
  audio a{8000, {std::vector<float>(8000, 0.0f), sine(300, 8000, 0.5, 0.3f)}};
  const transcription t = transcribe(engine, a);
  BOOST_TEST(t.text == "we will be there in an hour");
  BOOST_TEST(t.channels.at(0).text.empty());
}

BOOST_AUTO_TEST_SUITE_END()
