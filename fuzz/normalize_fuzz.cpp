// The extractor's normaliser on any text (a transcript is whatever the engine
// returned): tokens point inside the text and hold their normal form.
#include "extraction/normalize.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

using namespace callscribe::extraction;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto tokens = tokenize(text);
  for (const auto& t : tokens) {
    if (t.text.empty() || t.begin >= t.end || t.end > text.size()) {
      std::fprintf(stderr, "token '%s' at [%zu, %zu) of %zu bytes\n", t.text.c_str(), t.begin, t.end,
                   text.size());
      std::abort();
    }
  }
  (void)normalize_text(text);
  (void)normalize_word(text);
  return 0;
}
