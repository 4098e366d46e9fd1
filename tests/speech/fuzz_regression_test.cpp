// Recordings that broke the audio decoder under fuzz/audio_fuzz.cpp: each
// decodes, or is refused with audio_error, within bounded memory.
#include <boost/test/unit_test.hpp>

#include "speech/audio.hpp"

#include <string>

using namespace callscribe::speech;

// fuzz/corpus/audio/oom-flac-claims-4h-at-192k.flac: half a second of 8 kHz
// speech (5 KB) whose STREAMINFO claims 3.9 hours at 192 kHz. decode_file
// reserved the claim, 10.8 GB of floats, before reading a sample (libFuzzer:
// out-of-memory; std::bad_alloc where the machine has less).
BOOST_AUTO_TEST_CASE(fuzz_audio_oom_flac_claims_hours) {
  const std::string path = CALLSCRIBE_SOURCE_DIR "/fuzz/corpus/audio/oom-flac-claims-4h-at-192k.flac";
  const audio a = decode_file(path);
  BOOST_TEST(a.sample_rate == 192000);
  BOOST_REQUIRE_EQUAL(a.channels.size(), 1u);
  BOOST_TEST(a.channels.front().size() == 4000u); // the samples the file holds
  // Memory for at most an hour of 8 kHz audio, whatever the header says.
  BOOST_TEST(a.channels.front().capacity() <= 3600u * 8000u);
}
