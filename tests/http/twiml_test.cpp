// TwiML answers: well-formed XML (read back with Boost.PropertyTree's XML
// parser), every value escaped, Twilio's attribute names.
#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>
#include <boost/test/unit_test.hpp>

#include "http/twiml.hpp"

#include <sstream>

using namespace callscribe::http;
namespace pt = boost::property_tree;

namespace {

pt::ptree parsed(const std::string& xml) {
  std::istringstream in(xml);
  pt::ptree tree;
  pt::read_xml(in, tree); // throws on anything that is not XML
  return tree;
}

} // namespace

BOOST_AUTO_TEST_SUITE(twiml)

BOOST_AUTO_TEST_CASE(escaping_covers_the_five_entities_and_drops_control_characters) {
  BOOST_TEST(xml_escape(R"(a&b<c>d"e'f)") == "a&amp;b&lt;c&gt;d&quot;e&apos;f");
  BOOST_TEST(xml_escape(std::string("x\x01y\tz", 5)) == "xy\tz");
  BOOST_TEST(xml_escape("שלום") == "שלום");
}

BOOST_AUTO_TEST_CASE(a_dial_records_both_sides_and_calls_back_on_completion) {
  const std::string url = "https://calls.example.com/twilio/recording-status?a=1&b=\"2\"";
  auto tree = parsed(dial_and_record("+972500000000", url));
  const auto& dial = tree.get_child("Response.Dial");
  BOOST_TEST(dial.get<std::string>("<xmlattr>.record") == "record-from-answer-dual");
  BOOST_TEST(dial.get<std::string>("<xmlattr>.recordingStatusCallback") == url);
  BOOST_TEST(dial.get<std::string>("<xmlattr>.recordingStatusCallbackEvent") == "completed");
  BOOST_TEST(dial.get<std::string>("<xmlattr>.recordingStatusCallbackMethod") == "POST");
  BOOST_TEST(dial.get<std::string>("Number") == "+972500000000");
}

BOOST_AUTO_TEST_CASE(a_value_cannot_break_out_of_the_document) {
  const std::string hostile = "+1</Number></Dial><Redirect>http://evil</Redirect><Dial><Number>+2";
  auto tree = parsed(dial_and_record(hostile, "https://x.test/cb"));
  BOOST_TEST(tree.get<std::string>("Response.Dial.Number") == hostile);
  BOOST_TEST(tree.get_child("Response").count("Redirect") == 0u);
  auto said = parsed(say_and_hang_up("Tom & Jerry's <b>shop</b>"));
  BOOST_TEST(said.get<std::string>("Response.Say") == "Tom & Jerry's <b>shop</b>");
  BOOST_TEST(said.get_child("Response").count("Hangup") == 1u);
}

BOOST_AUTO_TEST_CASE(a_message_is_recorded_to_the_same_callback) {
  auto tree =
      parsed(record_message("You have reached Afula Locks.", "https://x.test/twilio/recording-status"));
  BOOST_TEST(tree.get<std::string>("Response.Say") == "You have reached Afula Locks.");
  BOOST_TEST(tree.get<std::string>("Response.Record.<xmlattr>.recordingStatusCallback") ==
             "https://x.test/twilio/recording-status");
  BOOST_TEST(tree.get_child("Response").count("Hangup") == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
