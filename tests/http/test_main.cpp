// The one translation unit that defines the http test module.
#define BOOST_TEST_MODULE test_http
#include <boost/test/unit_test.hpp>
