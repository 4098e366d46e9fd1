// Config files that crashed the config loader under fuzz/config_fuzz.cpp: each
// must be refused with options_error, never another exception.
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "config/options.hpp"

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <unistd.h>

namespace bdata = boost::unit_test::data;
namespace fs = std::filesystem;
using namespace callscribe::config;

namespace {

// The options_error message for a config file holding `text`; fails the test
// on anything else.
std::string error_for_config(const std::string& text) {
  const fs::path file =
      fs::temp_directory_path() / ("callscribe-fuzz-regression-" + std::to_string(::getpid()) + ".ini");
  std::ofstream(file, std::ios::binary) << text;
  const std::string path = file.string();
  const char* argv[] = {"callscribe", "--config", path.c_str(), nullptr};
  std::string error;
  try {
    parse_invocation(3, argv, std::map<std::string, std::string>{});
  } catch (const options_error& e) {
    error = e.what();
  }
  fs::remove(file);
  return error;
}

// A line that sets an option of no name (or of dashes only) outside any
// section: the unknown-option message threw std::out_of_range on it.
const std::string nameless_options[] = {"=1\n", "-=1\n", "--=x\n[http]\nport=8080\n"};

} // namespace

BOOST_AUTO_TEST_CASE(fuzz_config_crash_nameless_option) {
  // fuzz/corpus/config/crash-nameless-option: its line "=[log]" comes before any section.
  std::ifstream in(CALLSCRIBE_SOURCE_DIR "/fuzz/corpus/config/crash-nameless-option", std::ios::binary);
  BOOST_REQUIRE(in);
  std::ostringstream text;
  text << in.rdbuf();
  BOOST_TEST(error_for_config(text.str()) == "unknown option '' (see --help)");
}

BOOST_DATA_TEST_CASE(fuzz_config_line_without_an_option_name, bdata::make(nameless_options), text) {
  const std::string error = error_for_config(text);
  BOOST_TEST(error.find("unknown option '") == 0, error);
}

// fuzz/corpus/config/timeout-placeholder-in-value, and its shortest form: a
// value holding Boost's own placeholder made the "invalid value" message
// (program_options' what()) substitute for ever; the fuzzer saw a timeout.
// Without the fix this test does not end.
BOOST_AUTO_TEST_CASE(fuzz_config_timeout_placeholder_in_value) {
  std::ifstream in(CALLSCRIBE_SOURCE_DIR "/fuzz/corpus/config/timeout-placeholder-in-value",
                   std::ios::binary);
  BOOST_REQUIRE(in);
  std::ostringstream text;
  text << in.rdbuf();
  BOOST_TEST(error_for_config(text.str()).find("'http.port' is invalid") != std::string::npos);
  const std::string error = error_for_config("[http]\nport = %value%\n");
  BOOST_TEST(error == "the argument ('value') for option 'http.port' is invalid", error);
}
