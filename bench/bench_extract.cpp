// callscribe_bench_extract: how fast the gazetteer answers on a long call, for
// the README's claim that a 10-minute transcript against all localities and a
// business's catalogue takes well under a millisecond. Hebrew and English
// runs over a made-up two-channel call of ~1,500 words (150 words a minute),
// against a locksmith's 4 services with both place lists and with the
// language's own; then over ~1,500 words of the evaluation sets' calls
// joined, many calls' words and places in one text.
#include "extraction/gazetteer.hpp"

#include <nlohmann/json.hpp>

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace extraction = callscribe::extraction;

namespace {

const char* const usage =
    "usage: callscribe_bench_extract [--runs N] [--words N] [--places-dir DIR]\n"
    "  --runs N        timed extract calls per row (default 2000)\n"
    "  --words N       transcript length in words (default 1500: 10 minutes at 150 words a minute)\n"
    "  --places-dir    il_localities.tsv and us_cities.tsv (default " CALLSCRIBE_SOURCE_DIR
    "/config/places)\n";

using clock_type = std::chrono::steady_clock;

double ms_since(clock_type::time_point t) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - t).count();
}

// ---- the call ---------------------------------------------------------------

// What a locksmith's phone call sounds like, sentence by sentence. The filler
// names no service and no place; the signal sentences do, a few times over a
// long call, as callers do: the trade and the town early, a rival town and a
// second service in passing, the business repeating the answer at the end.
struct call_script {
  const char* language;
  const char* services_json;
  std::vector<const char*> caller_filler;
  std::vector<const char*> business_filler;
  const char* greeting; // business, first
  // (share of the call, caller?, sentence)
  struct signal {
    double at;
    bool caller;
    const char* text;
  };
  std::vector<signal> signals;
};

const call_script hebrew{
    "he",
    R"([{"name": "מנעולן", "aliases": ["פורץ מנעולים", "פריצת דלת", "ננעלתי בחוץ", "locksmith"]},
        {"name": "פריצת רכב", "aliases": ["פתיחת רכב", "המפתח נשאר ברכב", "ננעלתי מחוץ לרכב"]},
        {"name": "החלפת צילינדר", "aliases": ["החלפת מנעול", "צילינדר חדש", "החלפת צילינדרים"]},
        {"name": "פתיחת כספת", "aliases": ["פורץ כספות", "כספת נעולה"]}])",
    {"כן, אני פה, רק שנייה אחת.",
     "אני לא בטוח, אולי זה היה לפני שבוע בערך.",
     "המפתח פשוט לא מסתובב, הוא נתקע באמצע.",
     "אתמול בערב זה עוד עבד בסדר גמור.",
     "יש לי ילדים קטנים בבית אז זה קצת דחוף.",
     "כמה זה בערך יעלה לי?",
     "אני יכול לשלם באשראי או שצריך מזומן?",
     "הדלת היא דלת פלדה, נדמה לי של רב בריח.",
     "אני בקומה שלישית, אין מעלית בבניין.",
     "תתקשר אליי כשאתה מתקרב, בסדר?",
     "השכן אמר שהוא מכיר מישהו אבל הוא לא עונה.",
     "אני מחכה למטה ליד הכניסה לבניין.",
     "זה קרה לי כבר פעם אחת לפני שנתיים.",
     "אני לא זוכר בדיוק איזה דגם זה.",
     "אשתי בעבודה והמפתח השני אצלה.",
     "אפשר לקבל חשבונית מס על העבודה?",
     "בסדר, אז אני מחכה לכם.",
     "רגע, אני אבדוק מה כתוב על הדלת.",
     "כתוב שם משהו באנגלית, אני לא מצליח לקרוא.",
     "יש גם סורג על החלון במטבח.",
     "אני חושב שהמנעול ישן, הוא מלפני עשר שנים לפחות.",
     "כן, יש חנייה ברחוב, לא קשה למצוא.",
     "תודה רבה, באמת עזרתם לי.",
     "אני אשלח לך מיקום בוואטסאפ.",
     "כמה זמן לוקח בדרך כלל לפתוח דלת כזאת?",
     "אני לא רוצה שיהרסו לי את הדלת.",
     "הבעל בית אמר שהוא ישלם על זה.",
     "זה בניין חדש, עברנו לפני חצי שנה."},
    {"אין בעיה, אני רושם את הפרטים.",
     "אפשר את השם המלא שלך בבקשה?",
     "ומה מספר הטלפון שאפשר לחזור אליך?",
     "הטכנאי שלנו יתקשר אליך עשר דקות לפני.",
     "המחיר תלוי בסוג המנעול, הוא יגיד לך במקום.",
     "קריאת שירות היא מאה וחמישים שקל כולל מע\"מ.",
     "אנחנו מקבלים אשראי, מזומן וביט.",
     "כן, אנחנו עובדים גם בלילות ובסופי שבוע.",
     "בדרך כלל זה לוקח בין עשר לעשרים דקות.",
     "אנחנו משתדלים לפתוח בלי לפגוע בדלת.",
     "יש לך אולי תמונה של המנעול?",
     "תשלח לי בבקשה את הכתובת המדויקת.",
     "רשמתי, קומה שלישית בלי מעלית.",
     "הוא יביא איתו כמה סוגים, שיהיה לך במה לבחור.",
     "יש אחריות לשנה על כל חלק שאנחנו מחליפים.",
     "אני מעדכן אותו עכשיו, הוא כבר יוצא.",
     "אם יש בעיה תתקשר אלינו ישר למספר הזה.",
     "חשבונית נשלחת במייל אחרי העבודה.",
     "אין צורך לשבור כלום, אל תדאג.",
     "הוא צריך לראות את זה קודם, אי אפשר לדעת בטלפון.",
     "אני רואה שיש לנו טכנאי פנוי באזור.",
     "תוודא בבקשה שמישהו יהיה שם כשהוא מגיע.",
     "הכול בסדר, אנחנו עושים את זה כל יום.",
     "אם זה דלת פלדה זה יכול לקחת קצת יותר זמן."},
    "שלום, הגעתם למנעולי הצפון, במה אפשר לעזור?",
    {{0.0, true, "שלום, ננעלתי מחוץ לבית ואני צריך מנעולן דחוף."},
     {0.02, true, "אני גר בחיפה, ברחוב הרצל ליד בית הספר."},
     {0.04, false, "אוקיי, אז בחיפה, המנעולן שלנו יכול להגיע תוך ארבעים דקות."},
     {0.5, true, "אגב, אחותי גרה בקריית אתא והיא צריכה החלפת צילינדר."},
     {0.95, false, "מעולה, אז מנעולן לחיפה, נתראה בקרוב."}},
};

const call_script english{
    "en",
    R"([{"name": "locksmith", "aliases": ["lock smith", "locked out", "lockout", "door won't open"]},
        {"name": "car lockout", "aliases": ["keys in the car", "locked my keys", "car door"]},
        {"name": "lock change", "aliases": ["change the locks", "rekey", "new deadbolt", "lock replacement"]},
        {"name": "safe opening", "aliases": ["open a safe", "safe won't open", "safe cracking"]}])",
    {"Yeah, I'm here, just give me one second.",
     "I'm not sure, maybe it was about a week ago.",
     "The key just won't turn, it gets stuck halfway.",
     "It was working fine last night.",
     "I've got two small kids at home so it's kind of urgent.",
     "How much is that going to cost me, roughly?",
     "Can I pay with a card or do you need cash?",
     "It's a metal door, I think the frame is steel too.",
     "I'm on the third floor and there's no elevator.",
     "Give me a call when you're close, okay?",
     "My neighbor said he knows a guy but he's not picking up.",
     "I'll wait downstairs by the front entrance.",
     "This happened to me once before, a couple of years back.",
     "I don't remember exactly what model it is.",
     "My wife is at work and she has the spare key.",
     "Can I get a receipt for the job?",
     "All right, so I'll be waiting for you.",
     "Hold on, let me look at what it says on the door.",
     "There's a brand name on it but it's worn off.",
     "There's also a gate on the kitchen window.",
     "I think the lock is old, at least ten years.",
     "Yes, there's street parking, it's not hard to find.",
     "Thank you so much, you've been really helpful.",
     "I'll text you a pin with the location.",
     "How long does it usually take to open a door like that?",
     "I really don't want them to damage the door.",
     "The landlord said he would pay for it.",
     "It's a new building, we moved in six months ago."},
    {"No problem, I'm writing down the details.",
     "Can I have your full name, please?",
     "And what's the best number to call you back on?",
     "Our technician will call you ten minutes before he gets there.",
     "The price depends on the kind of lock, he'll tell you on site.",
     "The service call is seventy five dollars including tax.",
     "We take cards, cash and most payment apps.",
     "Yes, we work nights and weekends as well.",
     "Usually it takes between ten and twenty minutes.",
     "We try to open it without damaging the door.",
     "Do you maybe have a picture of the lock?",
     "Please send me the exact address.",
     "Got it, third floor, no elevator.",
     "He'll bring a few kinds with him so you can choose.",
     "There's a one year warranty on every part we replace.",
     "I'm letting him know right now, he's heading out.",
     "If anything comes up just call us back on this number.",
     "The invoice goes out by email after the job.",
     "There's no need to break anything, don't worry.",
     "He needs to see it first, we can't tell over the phone.",
     "I can see we have a technician free in your area.",
     "Please make sure someone is there when he arrives.",
     "It's all fine, we do this every day.",
     "If it's a steel door it might take a bit longer."},
    "Hello, North Shore Locks, how can I help you?",
    {{0.0, true, "Hi, I'm locked out of my house and I need a locksmith right away."},
     {0.02, true, "I live in Boston, on Maple Street near the school."},
     {0.04, false, "Okay, so Boston, our locksmith can be there in about forty minutes."},
     {0.5, true, "By the way, my sister in Cambridge wants to change the locks too."},
     {0.95, false, "Great, so a locksmith to Boston, see you soon."}},
};

// A fixed generator, so every run measures the same call.
struct splitmix64 {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
};

std::size_t word_count(const std::string& s) {
  std::istringstream in(s);
  std::size_t n = 0;
  for (std::string w; in >> w;)
    ++n;
  return n;
}

struct call {
  std::string transcript; // two_channel_text(caller, business)
  std::size_t words = 0;  // spoken words, without the channel labels
};

call make_call(const call_script& script, std::size_t target_words) {
  splitmix64 rng{42};
  std::string caller, business;
  std::size_t words = 0;
  auto say = [&](bool by_caller, const std::string& sentence) {
    auto& channel = by_caller ? caller : business;
    channel += (channel.empty() ? "" : " ") + sentence;
    words += word_count(sentence);
  };
  say(false, script.greeting);
  std::size_t next_signal = 0;
  bool caller_turn = true;
  while (words < target_words || next_signal < script.signals.size()) {
    const auto& s = script.signals;
    if (next_signal < s.size() && double(words) >= s[next_signal].at * double(target_words)) {
      say(s[next_signal].caller, s[next_signal].text);
      caller_turn = !s[next_signal].caller;
      ++next_signal;
      continue;
    }
    const auto& pool = caller_turn ? script.caller_filler : script.business_filler;
    // A turn is one to three sentences, as in a phone call.
    const auto sentences = 1 + rng.next() % 3;
    for (std::uint64_t i = 0; i < sentences; ++i)
      say(caller_turn, pool[rng.next() % pool.size()]);
    caller_turn = !caller_turn;
  }
  return {extraction::two_channel_text(caller, business), words};
}

// The calls of the evaluation sets in one language, one line per channel
// turn, until `target_words` are said: real callers' words, so far more
// distinct words (about 45% of them, against about 18% in a made-up call) and
// a place or two every few lines. Harder than any one call.
call joined_calls(const std::string& language, std::size_t target_words) {
  std::string text;
  std::size_t words = 0;
  for (const char* set : {"dev_set", "eval_set", "holdout_set"}) {
    const std::string path = std::string(CALLSCRIBE_SOURCE_DIR) + "/bench/extraction/" + set + ".jsonl";
    std::ifstream in(path);
    if (!in)
      throw std::runtime_error("cannot read " + path);
    for (std::string line; words < target_words && std::getline(in, line);) {
      const auto j = nlohmann::json::parse(line);
      if (j.at("lang") != language)
        continue;
      auto turn = [&](const char* label, const std::string& said) {
        std::string one_line = said;
        std::replace(one_line.begin(), one_line.end(), '\n', ' ');
        text += std::string(label) + ": " + one_line + "\n";
        words += word_count(one_line);
      };
      if (j.contains("text")) {
        turn("Caller", j.at("text").get<std::string>());
      } else {
        turn("Caller", j.at("caller").get<std::string>());
        turn("Business", j.at("business").get<std::string>());
      }
    }
  }
  return {text, words};
}

// ---- measuring --------------------------------------------------------------

struct timings {
  double mean = 0, p50 = 0, p99 = 0, max = 0;
};

// Nearest-rank percentiles of the per-call times.
timings summarise(std::vector<double> micros) {
  std::sort(micros.begin(), micros.end());
  auto rank = [&](double p) {
    const auto k = static_cast<std::size_t>(std::ceil(p * double(micros.size())));
    return micros[std::min(micros.size() - 1, k == 0 ? 0 : k - 1)];
  };
  timings t;
  for (double m : micros)
    t.mean += m;
  t.mean /= double(micros.size());
  t.p50 = rank(0.50);
  t.p99 = rank(0.99);
  t.max = micros.back();
  return t;
}

long peak_rss_kib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss; // KiB on Linux
}

struct run_result {
  std::string name;
  std::size_t words = 0;
  std::size_t runs = 0;
  timings t;
};

run_result run(extraction::gazetteer& g, const std::string& name, const call_script& script,
               const call& the_call, const char* places, std::size_t runs) {
  const auto c = extraction::parse_catalogue(script.services_json, places, script.language);

  // What the call is read as, once: a benchmark of a wrong answer is no use.
  const auto r = g.extract(c, the_call.transcript);
  std::printf("%s: %zu words, %zu bytes; extracted service '%s', city '%s', confidence %.2f\n", name.c_str(),
              the_call.words, the_call.transcript.size(), r.service.c_str(), r.city.c_str(), r.confidence);

  for (int i = 0; i < 20; ++i) // warm caches and the allocator
    g.extract(c, the_call.transcript);
  std::vector<double> micros;
  micros.reserve(runs);
  std::size_t differing = 0; // the answers are used, so no call is optimised away
  for (std::size_t i = 0; i < runs; ++i) {
    const auto started = clock_type::now();
    const auto x = g.extract(c, the_call.transcript);
    micros.push_back(std::chrono::duration<double, std::micro>(clock_type::now() - started).count());
    differing += x.service != r.service || x.city != r.city || x.confidence != r.confidence;
  }
  const auto t = summarise(std::move(micros));
  std::printf("  %zu runs: mean %.1f µs, p50 %.1f µs, p99 %.1f µs, max %.1f µs", runs, t.mean, t.p50, t.p99,
              t.max);
  if (differing)
    std::printf("; %zu runs gave another answer!", differing);
  std::printf("\n\n");
  return {name, the_call.words, runs, t};
}

std::size_t positive_count(const std::string& option, const std::string& value) {
  std::size_t used = 0;
  unsigned long long v = 0;
  try {
    v = std::stoull(value, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != value.size() || v == 0 || value[0] == '-')
    throw std::invalid_argument(option + " wants a positive whole number, not '" + value + "'");
  return static_cast<std::size_t>(v);
}

} // namespace

int main(int argc, char** argv) {
  std::size_t runs = 2000, words = 1500;
  std::string places_dir = CALLSCRIBE_SOURCE_DIR "/config/places";
  try {
    for (int i = 1; i < argc; ++i) {
      const std::string arg = argv[i];
      if (arg == "-h" || arg == "--help") {
        std::cout << usage;
        return 0;
      }
      if ((arg == "--runs" || arg == "--words" || arg == "--places-dir") && i + 1 < argc) {
        const std::string value = argv[++i];
        if (arg == "--runs")
          runs = positive_count(arg, value);
        else if (arg == "--words")
          words = positive_count(arg, value);
        else
          places_dir = value;
      } else {
        std::cerr << "callscribe_bench_extract: unknown option or missing value: " << arg << "\n" << usage;
        return 2;
      }
    }
  } catch (const std::invalid_argument& e) {
    std::cerr << "callscribe_bench_extract: " << e.what() << "\n";
    return 2;
  }

  try {
    const long rss_before = peak_rss_kib();
    extraction::gazetteer g(places_dir);
    // The first preload of each list: read the TSV and build its index.
    double load_ms[2];
    const char* const lists[2] = {"il", "us"};
    for (int i = 0; i < 2; ++i) {
      const auto started = clock_type::now();
      g.preload(extraction::parse_catalogue("[]", std::string("[\"") + lists[i] + "\"]", "en"));
      load_ms[i] = ms_since(started);
    }
    // Timings from a busy machine are not README figures: say how busy it was.
    double load[1] = {-1};
    getloadavg(load, 1);
    std::printf("build %s; %u CPUs, load average %.2f; place lists from %s\n", CALLSCRIBE_BUILD_TYPE,
                std::thread::hardware_concurrency(), load[0], places_dir.c_str());
    std::printf("list load + index (first preload): il %.1f ms, us %.1f ms, both %.1f ms\n\n", load_ms[0],
                load_ms[1], load_ms[0] + load_ms[1]);

    // A made-up call against both lists (the most a business can list) and
    // against its own; then real calls joined, the hardest text there is.
    const auto he_call = make_call(hebrew, words), en_call = make_call(english, words);
    const auto he_joined = joined_calls("he", words), en_joined = joined_calls("en", words);
    const char* const both = R"(["il", "us"])";
    const std::vector<run_result> results{
        run(g, "Hebrew made-up call, il + us", hebrew, he_call, both, runs),
        run(g, "English made-up call, il + us", english, en_call, both, runs),
        run(g, "Hebrew made-up call, il", hebrew, he_call, R"(["il"])", runs),
        run(g, "English made-up call, us", english, en_call, R"(["us"])", runs),
        run(g, "Hebrew evaluation calls joined, il + us", hebrew, he_joined, both, runs),
        run(g, "English evaluation calls joined, il + us", english, en_joined, both, runs)};

    const long rss_after = peak_rss_kib();
    std::printf("peak RSS %.1f MiB (%.1f MiB before the lists were loaded)\n\n", rss_after / 1024.0,
                rss_before / 1024.0);

    std::printf("README rows (build %s):\n", CALLSCRIBE_BUILD_TYPE);
    std::printf("| transcript, place lists | words | runs | mean µs | p50 µs | p99 µs | max µs |\n");
    std::printf("|---|---:|---:|---:|---:|---:|---:|\n");
    for (const auto& r : results)
      std::printf("| %s | %zu | %zu | %.0f | %.0f | %.0f | %.0f |\n", r.name.c_str(), r.words, r.runs,
                  r.t.mean, r.t.p50, r.t.p99, r.t.max);
  } catch (const std::exception& e) { // a place list or an evaluation set that cannot be read
    std::cerr << "callscribe_bench_extract: " << e.what() << "\n";
    return 2;
  }
  return 0;
}
