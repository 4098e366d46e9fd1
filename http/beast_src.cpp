// Beast and Asio compiled once for the whole program: with
// BOOST_BEAST_SEPARATE_COMPILATION and BOOST_ASIO_SEPARATE_COMPILATION set,
// every other translation unit sees only declarations, which keeps builds fast.

// GCC 12 with -fsanitize reports a false -Wmaybe-uninitialized inside
// Beast 1.74's basic_parser (a boost::optional it does initialise); the
// warning is Boost's, not ours, so it is silenced for these headers only.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <boost/asio/impl/src.hpp>
#include <boost/beast/src.hpp>
#pragma GCC diagnostic pop
