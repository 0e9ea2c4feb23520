// Exercises a target's LLVMFuzzerCustomMutator outside libFuzzer (default g++ build): every
// corpus input is mutated in chains of kChain steps, kRounds times, and every mutant is run
// through LLVMFuzzerTestOneInput, so the structure-aware mutators (and the properties checked
// on what they produce) are tested by the plain `bazel test //fuzz/...`.
// Usage: <test> CORPUS_DIR_OR_FILE... [--rounds=N]
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size,
                                          unsigned int seed);

int main(int argc, char** argv) {
  int rounds = 20;
  constexpr int kChain = 4;
  std::vector<std::filesystem::path> files;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--rounds=", 0) == 0) {
      rounds = std::stoi(a.substr(9));
      continue;
    }
    std::filesystem::path p(a);
    if (std::filesystem::is_directory(p)) {
      for (auto& e : std::filesystem::recursive_directory_iterator(p))
        if (e.is_regular_file() && e.path().extension() != ".open") files.push_back(e.path());
    } else {
      files.push_back(p);
    }
  }
  std::sort(files.begin(), files.end());
  size_t mutants = 0, changed = 0;
  unsigned seed = 1;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::vector<uint8_t> orig((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const size_t max_size = std::max<size_t>(4096, 2 * orig.size());
    for (int r = 0; r < rounds; ++r) {
      std::vector<uint8_t> buf(max_size);
      std::copy(orig.begin(), orig.end(), buf.begin());
      size_t size = orig.size();
      for (int c = 0; c < kChain; ++c) {
        const std::vector<uint8_t> before(buf.begin(), buf.begin() + size);
        const size_t n = LLVMFuzzerCustomMutator(buf.data(), size, max_size, seed++);
        if (n > max_size) {
          std::fprintf(stderr, "mutator returned %zu > max_size %zu\n", n, max_size);
          return 1;
        }
        size = n;
        ++mutants;
        if (!std::equal(before.begin(), before.end(), buf.begin(), buf.begin() + size) ||
            before.size() != size)
          ++changed;
        static const uint8_t kEmpty = 0;
        LLVMFuzzerTestOneInput(size ? buf.data() : &kEmpty, size);
      }
    }
  }
  std::printf("mutated %zu inputs: %zu mutants, %zu changed\n", files.size(), mutants, changed);
  if (mutants && changed * 2 < mutants) {
    std::fprintf(stderr, "the mutator changed fewer than half of its inputs\n");
    return 1;
  }
  return 0;
}
