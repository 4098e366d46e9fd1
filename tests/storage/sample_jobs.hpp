// A recording job for storage tests: numbered Sids, a business and numbers.
#pragma once

#include "storage/job_store.hpp"

#include <cstdio>
#include <string>

namespace callscribe::storage::test {

inline new_job job_for(int n) {
  new_job j;
  char sid[40];
  std::snprintf(sid, sizeof sid, "RE%032d", n);
  j.recording_sid = sid;
  std::snprintf(sid, sizeof sid, "CA%032d", n);
  j.call_sid = sid;
  j.recording_url = "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/" + j.recording_sid;
  j.business_id = 7;
  j.from_number = "+972501234567";
  j.to_number = "+97246000000";
  j.channels = 2;
  j.duration_seconds = 31;
  j.trace_id = "trace-" + std::to_string(n);
  return j;
}

} // namespace callscribe::storage::test
