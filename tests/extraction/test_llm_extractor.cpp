// The llm extractor: its request body and the checks on the model's answer as plain functions,
// then the whole engine against a loopback stand-in for an OpenAI-compatible chat endpoint (good
// answers used; bad ones, HTTP errors, timeouts and refused connections answered by the gazetteer
// with a warning that never holds the key).
#include <boost/test/unit_test.hpp>

#include "extraction/gazetteer.hpp"
#include "extraction/llm_extractor.hpp"
#include "http/server.hpp"
#include "tests/http/scripted_service.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

using namespace callscribe;
using namespace callscribe::extraction;
using json = nlohmann::json;

namespace {

const char* const secret_key = "sk-test-SECRET-4242";
const char* const model_name = "gpt-test-mini";

std::shared_ptr<gazetteer> places() {
  static auto g = std::make_shared<gazetteer>(CALLSCRIBE_SOURCE_DIR "/config/places");
  return g;
}

const catalogue& afula_locks() {
  static const catalogue c = parse_catalogue(
      R"([{"name": "מנעולן", "aliases": ["פורץ מנעולים", "פריצת דלת", "locksmith"]}, {"name": "אינסטלטור"}])",
      R"(["il"])", "he");
  return c;
}

// The caller corrects the city; the gazetteer sees two cities, the model should pick the second.
const std::string call = "Caller: שלום, אני צריך מנעולן, לא בחיפה אלא בעפולה\nBusiness: בסדר, נשלח מנעולן";

std::string good_content() {
  return json{{"service", "מנעולן"},
              {"city", "עפולה"},
              {"confidence", 0.9},
              {"evidence", {{"service", "מנעולן"}, {"city", "בעפולה"}}}}
      .dump();
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// One request as the stand-in saw it.
struct seen_request {
  std::string path;
  std::map<std::string, std::string> headers;
  json body;
};

// An OpenAI-compatible chat endpoint on 127.0.0.1 (an ephemeral port). It checks what every caller
// must send (the bearer key when one is expected, the model, a strict json_schema response format)
// and answers 400 when something is missing; otherwise it answers as the test scripts.
class chat_stand_in {
public:
  using script = std::function<http::response(const seen_request&)>;

  explicit chat_stand_in(script answer, std::optional<std::string> key = std::string(secret_key),
                         std::chrono::milliseconds delay = {})
      : answer_(std::move(answer)), key_(std::move(key)),
        service_(
            read, [this](const seen_request& s, int) { return check_and_answer(s); }, 1024 * 1024, delay) {}

  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(service_.port()) + "/v1/chat/completions";
  }
  std::vector<seen_request> requests() const { return service_.requests(); }

private:
  static seen_request read(const http::request& r) {
    seen_request s;
    s.path = r.path;
    for (const auto& [k, v] : r.headers)
      s.headers[k] = v;
    s.body = json::parse(r.body, nullptr, false);
    return s;
  }

  static http::response refuse(const std::string& why) {
    return testing::json_answer({{"error", {{"message", "stand-in: " + why}}}}, 400);
  }

  http::response check_and_answer(const seen_request& s) {
    if (s.path != "/v1/chat/completions")
      return refuse("wrong path " + s.path);
    const auto auth = s.headers.find("authorization");
    if (key_ && (auth == s.headers.end() || auth->second != "Bearer " + *key_))
      return refuse("no or wrong bearer key");
    if (!key_ && auth != s.headers.end())
      return refuse("an Authorization header without a key");
    if (!s.body.is_object() || s.body.value("model", "") != model_name)
      return refuse("wrong model");
    const json& rf = s.body.value("response_format", json());
    if (!rf.is_object() || rf.value("type", "") != "json_schema" || !rf.contains("json_schema") ||
        rf["json_schema"].value("strict", false) != true || !rf["json_schema"].contains("schema"))
      return refuse("response_format is not a strict json_schema");
    return answer_(s);
  }

  script answer_;
  std::optional<std::string> key_;
  testing::scripted_service<seen_request> service_; // last: it calls back into the members above
};

using testing::json_answer;

// A chat completion whose message content is `content`.
http::response chat_answer(const std::string& content) {
  return json_answer(
      {{"id", "chatcmpl-1"},
       {"object", "chat.completion"},
       {"model", model_name},
       {"choices", json::array({json{{"index", 0},
                                     {"message", {{"role", "assistant"}, {"content", content}}},
                                     {"finish_reason", "stop"}}})}});
}

llm_extractor engine(const std::string& url, std::string key = secret_key,
                     std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  llm_options o;
  o.url = url;
  o.model = model_name;
  o.api_key = std::move(key);
  o.timeout = timeout;
  return llm_extractor(o, places());
}

// The result is the gazetteer's own, with a warning naming `reason` and never the key.
void check_fallback(const extraction_result& r, const std::string& reason) {
  const auto g = places()->extract(afula_locks(), call);
  BOOST_TEST(r.service == g.service);
  BOOST_TEST(r.city == g.city);
  BOOST_TEST(r.confidence == g.confidence);
  BOOST_TEST(r.evidence.size() == g.evidence.size());
  for (const auto& e : r.evidence)
    BOOST_TEST(e.match != "llm");
  BOOST_TEST(contains(r.warning, "llm extractor failed ("), r.warning);
  BOOST_TEST(contains(r.warning, "; gazetteer answer used"), r.warning);
  BOOST_TEST(contains(r.warning, reason), r.warning);
  BOOST_TEST(!contains(r.warning, secret_key), r.warning);
  BOOST_TEST(!contains(r.warning, "\n"), r.warning);
}

} // namespace

BOOST_AUTO_TEST_SUITE(llm_extractor_tests)

// ------------------------------------------------------------ the request

BOOST_AUTO_TEST_CASE(the_request_asks_for_a_strict_schema_of_the_catalogues_services) {
  const json body = json::parse(llm_request_body(model_name, afula_locks(), call));
  BOOST_TEST(body["model"] == model_name);
  BOOST_TEST(body["temperature"] == 0);
  BOOST_REQUIRE(body["messages"].size() == 2u);
  BOOST_TEST(body["messages"][0]["role"] == "system");
  BOOST_TEST(body["messages"][1]["role"] == "user");
  const std::string system = body["messages"][0]["content"];
  for (const char* part : {"Hebrew (he)", "Israel", "מנעולן", "פורץ מנעולים", "פריצת דלת", "locksmith",
                           "אינסטלטור", "\"Caller:\"", "caller's words win", "corrections"})
    BOOST_TEST(contains(system, part), part);
  BOOST_TEST(contains(body["messages"][1]["content"].get<std::string>(), call));

  const json& rf = body["response_format"];
  BOOST_TEST(rf["type"] == "json_schema");
  BOOST_TEST(rf["json_schema"]["name"] == "lead_extraction");
  BOOST_TEST(rf["json_schema"]["strict"] == true);
  const json& schema = rf["json_schema"]["schema"];
  BOOST_TEST(schema["additionalProperties"] == false);
  BOOST_TEST(schema["required"] == json::array({"service", "city", "confidence", "evidence"}));
  const json& service = schema["properties"]["service"]["anyOf"];
  BOOST_TEST(service[0]["enum"] == json::array({"מנעולן", "אינסטלטור"}));
  BOOST_TEST(service[1]["type"] == "null");
  BOOST_TEST(schema["properties"]["city"]["type"] == json::array({"string", "null"}));
  BOOST_TEST(schema["properties"]["confidence"]["type"] == "number");
  BOOST_TEST(schema["properties"]["evidence"]["additionalProperties"] == false);
}

BOOST_AUTO_TEST_CASE(a_catalogue_without_services_allows_only_null) {
  const catalogue none = parse_catalogue("[]", R"(["us"])", "en");
  const json body = json::parse(llm_request_body(model_name, none, "I need help in Boston"));
  BOOST_TEST(body["response_format"]["json_schema"]["schema"]["properties"]["service"]["type"] == "null");
  BOOST_TEST(contains(body["messages"][0]["content"].get<std::string>(), "the United States"));
}

BOOST_AUTO_TEST_CASE(broken_utf8_in_a_transcript_still_makes_a_request) {
  const std::string broken = "Caller: locksmith \xff\xfe in Boston";
  BOOST_TEST(json::accept(llm_request_body(model_name, afula_locks(), broken)));
}

// ------------------------------------------------------------- the answer

BOOST_AUTO_TEST_CASE(a_good_answer_becomes_the_result_with_llm_evidence) {
  const auto r = read_llm_answer(afula_locks(), call, good_content(), places().get());
  BOOST_TEST(r.service == "מנעולן");
  BOOST_TEST(r.city == "עפולה");
  BOOST_TEST(r.confidence == 0.9);
  BOOST_TEST(r.warning.empty());
  BOOST_REQUIRE(r.evidence.size() == 2u);
  BOOST_TEST(r.evidence[0].field == "service");
  BOOST_TEST(r.evidence[1].field == "city");
  for (const auto& e : r.evidence) {
    BOOST_TEST(e.match == "llm");
    BOOST_TEST(e.channel == "caller");
    BOOST_TEST(call.substr(e.begin, e.end - e.begin) == e.text);
  }
  BOOST_TEST(r.evidence[1].text == "בעפולה");
}

BOOST_AUTO_TEST_CASE(a_city_the_place_lists_know_gets_their_name_and_others_keep_the_models_text) {
  auto with_city = [](const std::string& city) {
    return json{{"service", nullptr}, {"city", city}, {"confidence", 0.5}, {"evidence", nullptr}}.dump();
  };
  BOOST_TEST(read_llm_answer(afula_locks(), call, with_city("Afula"), places().get()).city == "עפולה");
  BOOST_TEST(read_llm_answer(afula_locks(), call, with_city("בעפולה"), places().get()).city == "עפולה");
  BOOST_TEST(read_llm_answer(afula_locks(), call, with_city("תל אביב"), places().get()).city ==
             "תל אביב-יפו");
  // Not in the lists, or more than a place: the model's text as it gave it.
  BOOST_TEST(read_llm_answer(afula_locks(), call, with_city("Nowhereville"), places().get()).city ==
             "Nowhereville");
  BOOST_TEST(read_llm_answer(afula_locks(), call, with_city("עפולה עילית והסביבה"), places().get()).city ==
             "עפולה עילית והסביבה");
  // US places get the lists' own name ("Boston, MA" where a state is part of it).
  const catalogue us = parse_catalogue(R"([{"name": "locksmith"}])", R"(["us"])", "en");
  const std::string boston = places()->extract(us, "Boston").city;
  BOOST_TEST(!boston.empty());
  BOOST_TEST(read_llm_answer(us, "I'm in Boston", with_city("Boston"), places().get()).city == boston);
  // Without place lists to ask, the model's text.
  BOOST_TEST(read_llm_answer(afula_locks(), call, with_city("Afula"), nullptr).city == "Afula");
}

BOOST_AUTO_TEST_CASE(quotes_not_in_the_transcript_have_no_range) {
  const auto content = json{{"service", "מנעולן"},
                            {"city", nullptr},
                            {"confidence", 0.61},
                            {"evidence", {{"service", "I need a locksmith"}, {"city", nullptr}}}}
                           .dump();
  const auto r = read_llm_answer(afula_locks(), call, content, places().get());
  BOOST_REQUIRE(r.evidence.size() == 1u);
  BOOST_TEST(r.evidence[0].begin == 0u);
  BOOST_TEST(r.evidence[0].end == 0u);
  BOOST_TEST(r.evidence[0].text == "I need a locksmith");
  BOOST_TEST(!r.evidence[0].note.empty());
  BOOST_TEST(r.city.empty());
  BOOST_TEST(r.confidence == 0.61);
}

BOOST_AUTO_TEST_CASE(nothing_found_has_confidence_zero_and_no_evidence) {
  const auto content =
      json{{"service", nullptr}, {"city", nullptr}, {"confidence", 0.8}, {"evidence", nullptr}}.dump();
  const auto r = read_llm_answer(afula_locks(), call, content, places().get());
  BOOST_TEST(r.service.empty());
  BOOST_TEST(r.city.empty());
  BOOST_TEST(r.confidence == 0);
  BOOST_TEST(r.evidence.empty());
}

BOOST_AUTO_TEST_CASE(answers_that_break_the_schema_are_refused_with_a_reason) {
  const std::vector<std::pair<std::string, std::string>> bad{
      {R"({"service": "locksmith", "city": null, "confidence": 0.9, "evidence": null})",
       "not in the catalogue"},
      {R"({"service": "מנעולן ", "city": null, "confidence": 0.9, "evidence": null})", ""}, // blanks forgiven
      {R"({"service": "מנעולנים", "city": null, "confidence": 0.9, "evidence": null})",
       "not in the catalogue"},
      {R"({"service": 3, "city": null, "confidence": 0.9, "evidence": null})", "service"},
      {R"({"city": "עפולה", "confidence": 0.9, "evidence": null})", "\"service\""},
      {R"({"service": null, "confidence": 0.9, "evidence": null})", "\"city\""},
      {R"({"service": null, "city": ["עפולה"], "confidence": 0.9, "evidence": null})", "city"},
      {R"({"service": null, "city": "עפולה", "evidence": null})", "\"confidence\""},
      {R"({"service": null, "city": "עפולה", "confidence": "high", "evidence": null})", "confidence"},
      {R"({"service": null, "city": "עפולה", "confidence": 1.5, "evidence": null})", "outside [0, 1]"},
      {R"({"service": null, "city": "עפולה", "confidence": -0.1, "evidence": null})", "outside [0, 1]"},
      {R"({"service": null, "city": "עפולה", "confidence": 0.5, "evidence": "עפולה"})", "evidence"},
      {R"(["מנעולן", "עפולה"])", "not a JSON object"},
      {R"(Sure! The service is {"service": "מנעולן"})", "not JSON"},
      {"", "not JSON"},
  };
  for (const auto& [content, reason] : bad) {
    std::string error;
    try {
      read_llm_answer(afula_locks(), call, content, places().get());
    } catch (const llm_answer_error& e) {
      error = e.what();
    }
    if (reason.empty()) {
      BOOST_TEST(error.empty(), content << " → " << error);
    } else {
      BOOST_TEST(contains(error, reason), content << " → " << error);
      BOOST_TEST(!contains(error, "\n"), error);
    }
  }
}

// ---------------------------------------------- against the stand-in

BOOST_AUTO_TEST_CASE(a_good_answer_is_used) {
  chat_stand_in chat([](const seen_request&) { return chat_answer(good_content()); });
  auto llm = engine(chat.url());
  const auto r = llm.extract(afula_locks(), call);
  BOOST_TEST(r.warning.empty(), r.warning);
  BOOST_TEST(r.service == "מנעולן");
  BOOST_TEST(r.city == "עפולה");
  BOOST_TEST(r.confidence == 0.9);
  BOOST_REQUIRE(r.evidence.size() == 2u);
  BOOST_TEST(r.evidence[0].match == "llm");

  const auto seen = chat.requests();
  BOOST_REQUIRE(seen.size() == 1u);
  BOOST_TEST(seen[0].headers.at("authorization") == std::string("Bearer ") + secret_key);
  BOOST_TEST(contains(seen[0].headers.at("content-type"), "application/json"));
  BOOST_TEST(seen[0].body["model"] == model_name);
  BOOST_TEST(seen[0].body["response_format"]["type"] == "json_schema");
  BOOST_TEST(contains(seen[0].body["messages"][1]["content"].get<std::string>(), call));
}

BOOST_AUTO_TEST_CASE(without_a_key_no_authorization_header_is_sent) {
  chat_stand_in chat([](const seen_request&) { return chat_answer(good_content()); }, std::nullopt);
  auto llm = engine(chat.url(), "");
  const auto r = llm.extract(afula_locks(), call);
  BOOST_TEST(r.warning.empty(), r.warning);
  BOOST_TEST(r.city == "עפולה");
  BOOST_REQUIRE(chat.requests().size() == 1u);
  BOOST_TEST(chat.requests()[0].headers.count("authorization") == 0u);
}

BOOST_AUTO_TEST_CASE(a_service_not_in_the_catalogue_falls_back) {
  chat_stand_in chat([](const seen_request&) {
    return chat_answer(
        R"({"service": "locksmith", "city": "עפולה", "confidence": 0.9, "evidence": {"service": null, "city": null}})");
  });
  auto llm = engine(chat.url());
  check_fallback(llm.extract(afula_locks(), call), "service 'locksmith' is not in the catalogue");
}

BOOST_AUTO_TEST_CASE(malformed_content_falls_back) {
  chat_stand_in chat(
      [](const seen_request&) { return chat_answer("the caller wants a locksmith in Afula"); });
  auto llm = engine(chat.url());
  check_fallback(llm.extract(afula_locks(), call), "content is not JSON");
}

BOOST_AUTO_TEST_CASE(a_body_that_is_no_chat_completion_falls_back) {
  chat_stand_in plain([](const seen_request&) {
    http::response r;
    r.body = "<html>gateway</html>";
    return r;
  });
  check_fallback(engine(plain.url()).extract(afula_locks(), call), "malformed answer");
  chat_stand_in no_choices([](const seen_request&) { return json_answer({{"choices", json::array()}}); });
  check_fallback(engine(no_choices.url()).extract(afula_locks(), call), "no choices[0]");
  chat_stand_in refused([](const seen_request&) {
    return json_answer(
        {{"choices", json::array({json{{"message", {{"content", nullptr}, {"refusal", "I can't help"}}}}})}});
  });
  check_fallback(engine(refused.url()).extract(afula_locks(), call), "the model refused");
}

BOOST_AUTO_TEST_CASE(http_500_falls_back) {
  chat_stand_in chat([](const seen_request&) {
    return json_answer({{"error", {{"message", "upstream overloaded"}}}}, 500);
  });
  auto llm = engine(chat.url());
  check_fallback(llm.extract(afula_locks(), call), "HTTP 500: upstream overloaded");
  BOOST_TEST(chat.requests().size() == 1u); // no retries: the gazetteer is the plan B
}

BOOST_AUTO_TEST_CASE(a_slow_answer_falls_back_when_the_timeout_ends) {
  chat_stand_in chat([](const seen_request&) { return chat_answer(good_content()); }, std::string(secret_key),
                     std::chrono::milliseconds(2500));
  auto llm = engine(chat.url(), secret_key, std::chrono::milliseconds(400));
  const auto start = std::chrono::steady_clock::now();
  const auto r = llm.extract(afula_locks(), call);
  const auto took_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  check_fallback(r, "no answer from 127.0.0.1:");
  BOOST_TEST(contains(r.warning, "within 400 ms"), r.warning);
  BOOST_TEST(took_ms < 2000);
}

BOOST_AUTO_TEST_CASE(a_refused_connection_falls_back) {
  std::uint16_t port = 0;
  {
    // A port that was free a moment ago and is closed now.
    http::server gone(http::server_options{"127.0.0.1", 0, 1024, 1024, std::chrono::seconds(1), 1}, {});
    gone.start();
    port = gone.port();
  }
  auto llm = engine("http://127.0.0.1:" + std::to_string(port) + "/v1/chat/completions");
  const auto start = std::chrono::steady_clock::now();
  check_fallback(llm.extract(afula_locks(), call), "cannot reach 127.0.0.1:" + std::to_string(port));
  BOOST_TEST(std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start)
                 .count() < 5000);
}

BOOST_AUTO_TEST_CASE(the_key_never_appears_in_a_warning) {
  // Services echo the key in their 401 answer; the warning names the status, not the key.
  chat_stand_in chat([](const seen_request&) {
    return json_answer({{"error", {{"message", std::string("Incorrect API key provided: ") + secret_key}}}},
                       401);
  });
  auto llm = engine(chat.url());
  const auto r = llm.extract(afula_locks(), call);
  check_fallback(r, "HTTP 401");
  BOOST_TEST(contains(r.warning, "check the API key"), r.warning);
  BOOST_TEST(contains(r.warning, "***"), r.warning);
}

BOOST_AUTO_TEST_CASE(a_wrong_request_is_refused_by_the_stand_in_and_falls_back) {
  // The stand-in wants another key: what a real service does with a stale one.
  chat_stand_in chat([](const seen_request&) { return chat_answer(good_content()); },
                     std::string("sk-other"));
  check_fallback(engine(chat.url()).extract(afula_locks(), call),
                 "HTTP 400: stand-in: no or wrong bearer key");
}

BOOST_AUTO_TEST_CASE(an_empty_transcript_asks_nothing) {
  chat_stand_in chat([](const seen_request&) { return chat_answer(good_content()); });
  const auto r = engine(chat.url()).extract(afula_locks(), "  \n ");
  BOOST_TEST(r.service.empty());
  BOOST_TEST(r.warning.empty());
  BOOST_TEST(chat.requests().empty());
}

BOOST_AUTO_TEST_CASE(several_threads_share_one_engine) {
  chat_stand_in chat([](const seen_request&) { return chat_answer(good_content()); });
  auto llm = engine(chat.url());
  std::vector<extraction_result> results(4);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < results.size(); ++i)
    threads.emplace_back([&, i] { results[i] = llm.extract(afula_locks(), call); });
  for (auto& t : threads)
    t.join();
  for (const auto& r : results) {
    BOOST_TEST(r.warning.empty(), r.warning);
    BOOST_TEST(r.city == "עפולה");
  }
  BOOST_TEST(chat.requests().size() == results.size());
}

BOOST_AUTO_TEST_CASE(bad_settings_are_refused_at_construction) {
  auto error_of = [](llm_options o, std::shared_ptr<extractor> fallback = places()) {
    try {
      llm_extractor x(std::move(o), std::move(fallback));
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  llm_options good;
  good.url = "https://api.openai.com/v1/chat/completions";
  good.model = "gpt-4o-mini";
  BOOST_TEST(error_of(good).empty());
  auto o = good;
  o.url = "";
  BOOST_TEST(contains(error_of(o), "no url"));
  o.url = "ftp://example.com/chat";
  BOOST_TEST(contains(error_of(o), "not an http(s) URL"));
  o.url = "not a url at all";
  BOOST_TEST(contains(error_of(o), "not an http(s) URL"));
  o = good;
  o.model = " ";
  BOOST_TEST(contains(error_of(o), "no model"));
  o = good;
  o.timeout = std::chrono::milliseconds(0);
  BOOST_TEST(contains(error_of(o), "timeout"));
  BOOST_TEST(contains(error_of(good, nullptr), "fallback"));
}

BOOST_AUTO_TEST_SUITE_END()
