// Runs a fuzz target's entry point over saved inputs, without libFuzzer: the `fuzz` ctest label
// replays every seed and every past crash in the ordinary (gcc, sanitizer) builds.
// Usage: fuzz_X_replay [--lines] PATH...   (a directory means every file in it; with --lines,
// each line of each file is also an input)

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

void run_one(const std::string& input) {
    LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(input.data()), input.size());
}

}  // namespace

int main(int argc, char** argv) {
    namespace fs = std::filesystem;
    bool lines = false;
    std::vector<fs::path> files;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--lines") {
            lines = true;
        } else if (fs::is_directory(arg)) {
            for (const auto& e : fs::recursive_directory_iterator(arg)) {
                if (e.is_regular_file()) {
                    files.push_back(e.path());
                }
            }
        } else if (fs::is_regular_file(arg)) {
            files.emplace_back(arg);
        }
    }
    std::size_t inputs = 0;
    for (const fs::path& f : files) {
        std::ifstream in(f, std::ios::binary);
        std::ostringstream ss;
        ss << in.rdbuf();
        const std::string whole = ss.str();
        run_one(whole);
        ++inputs;
        if (lines) {
            std::istringstream text(whole);
            for (std::string line; std::getline(text, line);) {
                run_one(line);
                ++inputs;
            }
        }
    }
    std::printf("%zu inputs from %zu files\n", inputs, files.size());
    return files.empty() ? 1 : 0;
}
