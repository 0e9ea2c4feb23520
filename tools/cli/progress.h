// A progress bar on stderr for long captures (files over 50 MB, stderr a terminal).
#pragma once

#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace cephwire::cli {

class Progress {
 public:
  Progress(std::string name, uint64_t total)
      : name_(std::move(name)), total_(total),
        on_(total > 50'000'000 && ::isatty(STDERR_FILENO)),
        start_(std::chrono::steady_clock::now()) {}
  ~Progress() { done(); }
  void update(uint64_t at) {
    if (!on_ || ++calls_ % 4096 != 0) return;
    auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::milliseconds(200)) return;
    last_ = now;
    const double f = total_ ? std::min(1.0, double(at) / double(total_)) : 0;
    const double secs = std::chrono::duration<double>(now - start_).count();
    const int width = 30, filled = int(f * width);
    std::fprintf(stderr, "\r%s [%s%s] %3d%% %.0f MB/s", name_.c_str(),
                 std::string(filled, '#').c_str(), std::string(width - filled, '.').c_str(),
                 int(f * 100), secs > 0 ? at / secs / 1e6 : 0.0);
    std::fflush(stderr);
    shown_ = true;
  }
  void done() {
    if (shown_) std::fprintf(stderr, "\r%*s\r", 60, "");
    shown_ = false;
  }

 private:
  std::string name_;
  uint64_t total_;
  bool on_;
  bool shown_ = false;
  uint64_t calls_ = 0;
  std::chrono::steady_clock::time_point start_, last_{};
};

}  // namespace cephwire::cli
