// GET /: the dashboard, one HTML file (app/dashboard/index.html) built into
// the binary so it works offline and can never go out of step with the API.
#pragma once

namespace callscribe::app {

const char* dashboard_html();

} // namespace callscribe::app
