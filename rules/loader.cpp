#include "rules/loader.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <numeric>
#include <optional>
#include <sstream>
#include <system_error>
#include <thread>

#include "rules/load_errors.hpp"
#include "rules/rule_collector.hpp"
#include "rules/rule_compiler.hpp"
#include "rules/rule_reader.hpp"
#include "rules/rule_values.hpp"

namespace ikewatch::rules {

namespace {

// Problems in load order of their files, then by position; those at one position keep the order
// they were found in.
void sort_by_position(diagnostics& problems, const std::vector<std::string>& files) {
    std::stable_sort(
        problems.begin(), problems.end(), [&](const diagnostic& a, const diagnostic& b) {
            const auto fa = std::find(files.begin(), files.end(), a.file) - files.begin();
            const auto fb = std::find(files.begin(), files.end(), b.file) - files.begin();
            return fa != fb ? fa < fb : a.line != b.line ? a.line < b.line : a.column < b.column;
        });
}

// One source read, with the problems found in it.
struct read_source {
    std::optional<rule_document> doc;
    diagnostics problems;
};

// Reads every source; with `threads` above one, several at once (reading the YAML is most of a
// load). The results keep the sources' order.
std::vector<read_source> read_sources(const std::vector<rule_source>& sources,
                                      std::size_t threads) {
    std::vector<read_source> out(sources.size());
    // The largest first, so that no thread is left with a long one at the end.
    std::vector<std::size_t> order(sources.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return sources[a].text.size() > sources[b].text.size();
    });
    std::atomic<std::size_t> next{0};
    std::mutex failed_mutex;
    std::exception_ptr failed;
    const auto work = [&] {
        try {
            for (std::size_t i = next++; i < order.size(); i = next++) {
                read_source& r = out[order[i]];
                r.doc = read_rule_document(sources[order[i]], r.problems);
            }
        } catch (...) {
            const std::lock_guard lock(failed_mutex);
            failed = std::current_exception();
        }
    };
    {
        std::vector<std::jthread> helpers;
        try {
            for (std::size_t t = 1; t < std::min(threads, sources.size()); ++t) {
                helpers.emplace_back(work);
            }
        } catch (const std::system_error&) {  // no thread to be had: fewer do the reading
        }
        work();
    }
    if (failed) {
        std::rethrow_exception(failed);
    }
    return out;
}

}  // namespace

load_result load_rules(const std::vector<rule_source>& sources, std::size_t threads) {
    load_result out;
    std::vector<std::string> files;
    rule_collector collector(out.problems);
    std::vector<read_source> read = read_sources(sources, threads);
    for (std::size_t i = 0; i < sources.size(); ++i) {
        files.push_back(sources[i].name);
        out.problems.insert(out.problems.end(), read[i].problems.begin(), read[i].problems.end());
        if (read[i].doc) {
            collector.collect(*read[i].doc);
        }
    }
    rule_set set = compile_rules(collector.collected(), out.problems);
    set.files = files;
    sort_by_position(out.problems, files);
    if (out.problems.empty()) {
        set.index();
        out.rules = std::make_shared<const rule_set>(std::move(set));
    }
    return out;
}

std::vector<rule_source> read_rule_paths(const std::vector<std::string>& paths,
                                         diagnostics& problems) {
    namespace fs = std::filesystem;
    std::vector<rule_source> out;
    auto read = [&](const fs::path& p) {
        std::ifstream in(p, std::ios::binary);
        if (!in) {
            problems.push_back(
                load_problem(p.string(), 0, 0, load_error::unreadable, "cannot read the file"));
            return;
        }
        std::stringstream ss;
        ss << in.rdbuf();
        out.push_back({p.string(), ss.str()});
    };
    for (const std::string& path : paths) {
        std::error_code ec;
        if (fs::is_directory(path, ec)) {
            std::vector<fs::path> files;
            for (const auto& e : fs::directory_iterator(path, ec)) {
                const auto ext = e.path().extension();
                if (e.is_regular_file() && (ext == ".yaml" || ext == ".yml")) {
                    files.push_back(e.path());
                }
            }
            std::sort(files.begin(), files.end());
            for (const auto& f : files) {
                read(f);
            }
        } else if (fs::exists(path, ec)) {
            read(path);
        } else {
            problems.push_back(
                load_problem(path, 0, 0, load_error::unreadable, "no such file or directory"));
        }
    }
    return out;
}

load_result load_with_pack(const std::vector<std::string>& paths, std::size_t threads) {
    diagnostics problems;
    std::vector<rule_source> sources = shipped_pack();
    std::vector<rule_source> local = read_rule_paths(paths, problems);
    sources.insert(sources.end(), std::make_move_iterator(local.begin()),
                   std::make_move_iterator(local.end()));
    load_result result = load_rules(sources, threads);
    if (!problems.empty()) {
        result.problems.insert(result.problems.begin(), problems.begin(), problems.end());
        result.rules = nullptr;
    }
    return result;
}

}  // namespace ikewatch::rules
