// The `llm` extraction engine: the transcript and the business's catalogue POSTed to an
// OpenAI-compatible chat-completions endpoint with a strict JSON schema; the answer is checked
// against the catalogue before it is believed, and anything short of that is the fallback's turn.
//
// What is trusted from the model: a service only when it is exactly one of the catalogue's names
// (or null); a city as the place lists name it when they know the model's text, else the model's
// own text (a place missing from the lists is still worth writing to the lead); a confidence only
// within [0, 1]. The schema carries no numeric bounds (some OpenAI-compatible servers refuse
// schemas with them): the range is in its description and checked here.
#include "extraction/llm_extractor.hpp"

#include "http/service_call.hpp"

#include <curl/curl.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

namespace callscribe::extraction {
namespace {

using json = nlohmann::json;
using http::ascii_lower;
using http::trimmed;
using http::utf8_prefix;

constexpr std::size_t max_answer_bytes = 1024 * 1024;
// A transcript longer than this is cut (whole UTF-8 characters): what a caller needs is said early,
// and every model's context holds this much (about 12k tokens of Hebrew).
constexpr std::size_t max_transcript_bytes = 48 * 1024;
constexpr std::size_t max_city_bytes = 120;
constexpr std::chrono::milliseconds max_connect{10000};

// A piece of text for a one-line message: whole characters, no line breaks or control characters;
// "…" marks a cut of more than white space.
std::string excerpt(const std::string& text, std::size_t max) {
  std::string out = http::one_line(trimmed(utf8_prefix(text, max)));
  if (out.size() < trimmed(text).size())
    out += "…";
  return out;
}

std::string language_name(const std::string& code) {
  const std::string l = ascii_lower(code.substr(0, code.find_first_of("-_")));
  static const std::pair<const char*, const char*> names[] = {
      {"he", "Hebrew"},  {"iw", "Hebrew"},    {"en", "English"}, {"ar", "Arabic"},  {"ru", "Russian"},
      {"es", "Spanish"}, {"fr", "French"},    {"de", "German"},  {"am", "Amharic"}, {"pt", "Portuguese"},
      {"it", "Italian"}, {"uk", "Ukrainian"}, {"yi", "Yiddish"}, {"tr", "Turkish"}, {"nl", "Dutch"}};
  for (const auto& [c, name] : names)
    if (l == c)
      return name;
  return code.empty() ? "" : code;
}

// "Caller:"/"Business:" label of the line holding byte `at`, as the gazetteer reports it.
std::string channel_at(const std::string& transcript, std::size_t at) {
  auto line = at == 0 ? std::string::npos : transcript.rfind('\n', at - 1);
  line = line == std::string::npos ? 0 : line + 1;
  if (transcript.compare(line, 7, "Caller:") == 0)
    return "caller";
  if (transcript.compare(line, 9, "Business:") == 0)
    return "business";
  return "";
}

std::vector<std::string> service_names(const catalogue& c) {
  std::vector<std::string> names;
  for (const auto& s : c.services)
    if (std::find(names.begin(), names.end(), s.name) == names.end())
      names.push_back(s.name);
  return names;
}

std::string system_prompt(const catalogue& c) {
  std::string p =
      "You read the transcript of a phone call to a small business and say what the caller needs.\n";
  if (const std::string lang = language_name(c.language); !lang.empty())
    p += "The business speaks " + lang + " (" + c.language + ").";
  std::string where;
  for (const auto& list : c.places) {
    const char* country = list == "il" ? "Israel" : list == "us" ? "the United States" : nullptr;
    if (country)
      where += std::string(where.empty() ? "" : " and ") + country;
  }
  if (!where.empty())
    p += " Its callers are in " + where + ".";
  p += "\n";
  if (c.services.empty()) {
    p += "The business lists no services: service is always null.\n";
  } else {
    p += "Its services (answer with the name exactly as written before the parentheses):\n";
    for (const auto& s : c.services) {
      p += "- " + s.name;
      if (!s.aliases.empty()) {
        p += " (callers may say: ";
        for (std::size_t i = 0; i < s.aliases.size(); ++i)
          p += (i ? ", " : "") + s.aliases[i];
        p += ")";
      }
      p += "\n";
    }
  }
  p += "Answer with:\n"
       "- service: the one service of the list the caller asks for, or null when none of them is asked for.\n"
       "- city: the city, town or locality where the caller needs it, written in the business's language, "
       "or null when none is said.\n"
       "- confidence: from 0 to 1, how likely your service and city are both right; 0 when both are null.\n"
       "- evidence: for service and for city, the shortest exact quote from the transcript that says it, or "
       "null.\n"
       "Rules:\n"
       "- Lines starting with \"Caller:\" are the caller, lines starting with \"Business:\" the business. "
       "When they disagree, the caller's words win.\n"
       "- Mind negations and corrections: \"not in Haifa, in Afula\" means Afula; \"I don't need a plumber\" "
       "asks for no plumber; the last correction counts.\n"
       "- Use only what the transcript says; never guess.\n";
  return p;
}

json answer_schema(const catalogue& c) {
  const auto names = service_names(c);
  json service =
      names.empty()
          ? json{{"type", "null"}}
          : json{{"anyOf", json::array({json{{"type", "string"}, {"enum", names}}, json{{"type", "null"}}})}};
  service["description"] = "one of the business's service names, exactly, or null";
  const json quote = {{"type", json::array({"string", "null"})}};
  return {{"type", "object"},
          {"properties",
           {{"service", service},
            {"city",
             {{"type", json::array({"string", "null"})},
              {"description", "where the caller needs the service, or null"}}},
            {"confidence", {{"type", "number"}, {"description", "between 0 and 1"}}},
            {"evidence",
             {{"type", "object"},
              {"properties", {{"service", quote}, {"city", quote}}},
              {"required", json::array({"service", "city"})},
              {"additionalProperties", false}}}}},
          {"required", json::array({"service", "city", "confidence", "evidence"})},
          {"additionalProperties", false}};
}

// The request failed before a usable content came back: a one-line reason.
struct request_failed : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string duration_text(std::chrono::milliseconds d) {
  if (d.count() % 1000 == 0)
    return std::to_string(d.count() / 1000) + " s";
  return std::to_string(d.count()) + " ms";
}

// The service's own reason for an HTTP error: OpenAI's error.message, or the shapes others use.
std::string service_message(const std::string& body) {
  std::string m = http::service_error_message(body);
  if (m.empty())
    m = body;
  return excerpt(m, 120);
}

// POSTs the body and returns choices[0].message.content; throws request_failed.
std::string ask(const llm_options& o, const std::string& where, const std::string& body) {
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> h(curl_easy_init(), &curl_easy_cleanup);
  if (!h)
    throw request_failed("cannot create a libcurl handle");
  curl_slist* list = nullptr;
  if (!o.api_key.empty())
    list = curl_slist_append(list, ("Authorization: Bearer " + o.api_key).c_str());
  list = curl_slist_append(list, "Content-Type: application/json");
  list = curl_slist_append(list, "Accept: application/json");
  list = curl_slist_append(list, "Expect:");
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers(list, &curl_slist_free_all);

  http::capped_body received{max_answer_bytes};
  char error[CURL_ERROR_SIZE] = {};
  CURL* c = h.get();
  curl_easy_setopt(c, CURLOPT_URL, o.url.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  http::set_service_options(c, std::min(o.timeout, max_connect), o.timeout);
  http::collect_into(c, received);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  const CURLcode code = curl_easy_perform(c);
  // Redacted before anything is cut from it: a service may echo the key, and
  // a cut through the key would leave a piece of it that redaction misses.
  const std::string answer = http::redacted(received.text, o.api_key);
  if (code == CURLE_OPERATION_TIMEDOUT)
    throw request_failed("no answer from " + where + " within " + duration_text(o.timeout));
  if (code == CURLE_WRITE_ERROR)
    throw request_failed(where + " answered more than " + std::to_string(max_answer_bytes) + " bytes");
  if (code != CURLE_OK)
    throw request_failed(
        "cannot reach " + where + ": " +
        excerpt(http::redacted(error[0] ? error : curl_easy_strerror(code), o.api_key), 200));
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  if (status < 200 || status >= 300) {
    std::string what = "HTTP " + std::to_string(status) + ": " + service_message(answer);
    if (status == 401 || status == 403)
      what += " (check the API key)";
    else if (status == 404)
      what += " (check extract.url and extract.model)";
    throw request_failed(what);
  }

  const json j = json::parse(answer, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    throw request_failed("malformed answer: not a JSON object: " + excerpt(answer, 60));
  const auto choices = j.find("choices");
  if (choices == j.end() || !choices->is_array() || choices->empty() || !(*choices)[0].is_object())
    throw request_failed("malformed answer: no choices[0]");
  const auto message = (*choices)[0].find("message");
  if (message == (*choices)[0].end() || !message->is_object())
    throw request_failed("malformed answer: no choices[0].message");
  if (const auto refusal = message->find("refusal");
      refusal != message->end() && refusal->is_string() && !refusal->get<std::string>().empty())
    throw request_failed("the model refused: " + excerpt(refusal->get<std::string>(), 100));
  const auto content = message->find("content");
  if (content == message->end() || !content->is_string())
    throw request_failed("malformed answer: no choices[0].message.content");
  return content->get<std::string>();
}

// A string or null field of the answer; null and blank are "".
std::string optional_text(const json& j, const char* key, const std::string& where, bool required) {
  const auto it = j.find(key);
  if (it == j.end()) {
    if (required)
      throw llm_answer_error(where + " has no \"" + key + "\"");
    return {};
  }
  if (it->is_null())
    return {};
  if (!it->is_string())
    throw llm_answer_error(where + "." + key + " is neither a string nor null");
  return trimmed(it->get<std::string>());
}

evidence evidence_for(const char* field, const std::string& transcript, const std::string& quote) {
  evidence e;
  e.field = field;
  e.match = "llm";
  e.text = quote;
  if (quote.empty()) {
    e.note = "the model quoted nothing";
    return e;
  }
  const auto at = transcript.find(quote);
  if (at == std::string::npos) {
    e.note = "the model's quote is not in the transcript";
    return e;
  }
  e.begin = at;
  e.end = at + quote.size();
  e.channel = channel_at(transcript, at);
  return e;
}

// The place lists' name for the model's city, when they know all of it.
std::string place_name(const catalogue& c, const std::string& city, extractor* places) {
  if (!places || c.places.empty())
    return city;
  const catalogue only_places{{}, c.places, c.language, c.business_name};
  const auto r = places->extract(only_places, city);
  for (const auto& e : r.evidence)
    if (e.field == "city" && e.begin == 0 && e.end == city.size() && !r.city.empty())
      return r.city;
  return city;
}

} // namespace

std::string llm_request_body(const std::string& model, const catalogue& c, const std::string& transcript) {
  std::string text = utf8_prefix(transcript, max_transcript_bytes);
  if (text.size() < transcript.size())
    text += "\n[…the rest of the call is cut]";
  const json body = {
      {"model", model},
      {"temperature", 0},
      {"messages", json::array({json{{"role", "system"}, {"content", system_prompt(c)}},
                                json{{"role", "user"}, {"content", "Transcript:\n" + text}}})},
      {"response_format",
       {{"type", "json_schema"},
        {"json_schema", {{"name", "lead_extraction"}, {"strict", true}, {"schema", answer_schema(c)}}}}}};
  // Transcripts may hold broken UTF-8 from a speech engine; send what can be sent.
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

extraction_result read_llm_answer(const catalogue& c, const std::string& transcript,
                                  const std::string& content, extractor* places) {
  const json j = json::parse(content, nullptr, false);
  if (j.is_discarded())
    throw llm_answer_error("content is not JSON: " + excerpt(content, 60));
  if (!j.is_object())
    throw llm_answer_error("content is not a JSON object: " + excerpt(content, 60));

  extraction_result r;
  r.service = optional_text(j, "service", "answer", true);
  if (!r.service.empty()) {
    const auto names = service_names(c);
    // Exactly a catalogue name: trimmed() above only forgives blanks around it.
    if (std::find(names.begin(), names.end(), r.service) == names.end())
      throw llm_answer_error("service '" + excerpt(r.service, 60) + "' is not in the catalogue");
  }
  std::string city = optional_text(j, "city", "answer", true);
  if (city.size() > max_city_bytes)
    throw llm_answer_error("city is longer than " + std::to_string(max_city_bytes) + " bytes");
  if (city.find_first_of("\r\n") != std::string::npos)
    throw llm_answer_error("city spans several lines");

  const auto confidence = j.find("confidence");
  if (confidence == j.end())
    throw llm_answer_error("answer has no \"confidence\"");
  if (!confidence->is_number())
    throw llm_answer_error("confidence is not a number");
  const double x = confidence->get<double>();
  if (!(x >= 0 && x <= 1))
    throw llm_answer_error("confidence " + confidence->dump() + " is outside [0, 1]");

  std::string service_quote, city_quote;
  if (const auto e = j.find("evidence"); e != j.end() && !e->is_null()) {
    if (!e->is_object())
      throw llm_answer_error("evidence is not an object");
    service_quote = optional_text(*e, "service", "evidence", false);
    city_quote = optional_text(*e, "city", "evidence", false);
  }

  if (!city.empty())
    r.city = place_name(c, city, places);
  // As the gazetteer: two decimals, so log lines and stored values agree; nothing found is 0.
  r.confidence = r.service.empty() && r.city.empty() ? 0 : std::round(x * 100) / 100;
  if (!r.service.empty())
    r.evidence.push_back(evidence_for("service", transcript, service_quote));
  if (!r.city.empty())
    r.evidence.push_back(evidence_for("city", transcript, city_quote));
  return r;
}

llm_extractor::llm_extractor(llm_options o, std::shared_ptr<extractor> fallback)
    : o_(std::move(o)), fallback_(std::move(fallback)) {
  http::init_curl();
  if (!fallback_)
    throw std::invalid_argument("llm extractor: no fallback engine");
  if (trimmed(o_.model).empty())
    throw std::invalid_argument("llm extractor: no model given (extract.model, e.g. gpt-4o-mini)");
  if (o_.timeout.count() <= 0)
    throw std::invalid_argument("llm extractor: the timeout must be positive");
  if (o_.url.empty())
    throw std::invalid_argument(
        "llm extractor: no url given (extract.url, e.g. https://api.openai.com/v1/chat/completions)");
  const http::http_url u = http::parse_http_url(o_.url);
  if (!u)
    throw std::invalid_argument("llm extractor: extract.url is not an http(s) URL: " + excerpt(o_.url, 200));
  where_ = http::host_and_port(u.get());
}

extraction_result llm_extractor::extract(const catalogue& c, const std::string& transcript) {
  if (trimmed(transcript).empty())
    return {}; // nothing said, nothing to ask
  std::string reason;
  try {
    const std::string content = ask(o_, where_, llm_request_body(o_.model, c, transcript));
    return read_llm_answer(c, transcript, content, fallback_.get());
  } catch (const catalogue_error&) {
    throw; // the place lists: the fallback would fail the same way
  } catch (const llm_answer_error& e) {
    reason = std::string("answer breaks the schema: ") + e.what();
  } catch (const std::exception& e) {
    reason = e.what();
  }
  extraction_result r = fallback_->extract(c, transcript);
  // A service may echo the key in its error text: it never gets into a log line (redacted before
  // anything is cut, so no piece of it survives either).
  std::string warning = "llm extractor failed (" + excerpt(http::redacted(reason, o_.api_key), 300) + "); " +
                        o_.fallback_name + " answer used";
  if (!r.warning.empty())
    warning += "; " + excerpt(http::redacted(r.warning, o_.api_key), 300);
  r.warning = std::move(warning);
  return r;
}

} // namespace callscribe::extraction
