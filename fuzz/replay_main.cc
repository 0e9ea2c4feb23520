// Corpus replay driver: the main() linked into cephwire_fuzz_test targets outside --config=fuzz.
// Feeds every regular file under the given paths (files or directories, recursively) to
// LLVMFuzzerTestOneInput once, in sorted order, so the default `bazel test` exercises every seed
// and every crash regression input with the default compiler.
// Regression inputs of bugs not fixed yet are named "<sha1>.open": they are listed and skipped
// (drop the suffix together with the fix, and the input is replayed from then on).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
  std::vector<std::filesystem::path> files;
  for (int i = 1; i < argc; ++i) {
    std::filesystem::path p(argv[i]);
    std::error_code ec;
    if (std::filesystem::is_directory(p, ec)) {
      for (auto& e : std::filesystem::recursive_directory_iterator(
               p, std::filesystem::directory_options::follow_directory_symlink)) {
        if (e.is_regular_file()) files.push_back(e.path());
      }
    } else if (std::filesystem::exists(p, ec)) {
      files.push_back(p);
    } else {
      std::fprintf(stderr, "replay: no such file or directory: %s\n", argv[i]);
      return 2;
    }
  }
  std::sort(files.begin(), files.end());
  size_t bytes = 0, open = 0;
  for (const auto& f : files) {
    if (f.extension() == ".open") {
      std::printf("skipping open regression %s\n", f.c_str());
      ++open;
      continue;
    }
    std::ifstream in(f, std::ios::binary);
    std::vector<uint8_t> buf((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    bytes += buf.size();
    // An empty vector has no data(); libFuzzer passes a non-null pointer, so do we.
    static const uint8_t kEmpty = 0;
    LLVMFuzzerTestOneInput(buf.empty() ? &kEmpty : buf.data(), buf.size());
  }
  std::printf("replayed %zu inputs (%zu bytes), skipped %zu open regressions\n",
              files.size() - open, bytes, open);
  return 0;
}
