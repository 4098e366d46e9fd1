// Fault injection for the crash tests (tests/e2e/fault_test.cpp): with
// CALLSCRIBE_FAULTS=ON at configure time, `fault_point("name")` kills this
// process with SIGKILL when the environment's CALLSCRIBE_FAULT names that
// point ("name", or "name:N" for its Nth hit). Without the option, as in
// every release build, it is an empty inline function and no check is made.
#pragma once

namespace callscribe {

#ifdef CALLSCRIBE_FAULTS
void fault_point(const char* name);
#else
inline void fault_point(const char*) {}
#endif

} // namespace callscribe
