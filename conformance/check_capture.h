// Feeds every event of a capture (tools/capture) to a Checker and returns its results: the one
// loop behind `cephwire check`, `cephwire conformance` and the checker's tests. A pcap read error
// ends the events early; the caller reads it from cap.error().
#pragma once

#include <vector>

#include "conformance/checker.h"
#include "tools/capture/capture.h"

namespace cephwire::conformance {

std::vector<CaseResult> check_capture(capture::Capture& cap);

}  // namespace cephwire::conformance
