#include "cli/record_reader.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

#include "parsers/record_splitter.hpp"

namespace ikewatch::cli {

namespace {

// Bytes asked of each read; a chunk holds two, so a record that started in the one before
// still fits whole.
constexpr std::size_t read_size = 1 << 18;
constexpr std::size_t chunk_bytes = 2 * read_size;

class fd_guard {
  public:
    explicit fd_guard(int fd) : fd_(fd) {}
    fd_guard(const fd_guard&) = delete;
    fd_guard& operator=(const fd_guard&) = delete;
    ~fd_guard() {
        if (fd_ > 2) {
            ::close(fd_);
        }
    }
    [[nodiscard]] int get() const { return fd_; }

  private:
    int fd_;
};

// Chunks that come back for reuse when their last hold goes. A hold may outlive the reading (a
// worker thread still has the batch that keeps it), so each one keeps the pool alive too.
class chunk_pool : public std::enable_shared_from_this<chunk_pool> {
  public:
    [[nodiscard]] std::shared_ptr<char> take() {
        std::unique_ptr<char[]> chunk;
        {
            const std::lock_guard lock(mutex_);
            if (!free_.empty()) {
                chunk = std::move(free_.back());
                free_.pop_back();
            }
        }
        if (!chunk) {
            chunk = std::make_unique_for_overwrite<char[]>(chunk_bytes);
        }
        return {chunk.release(), [pool = shared_from_this()](char* c) { pool->give_back(c); }};
    }

  private:
    void give_back(char* c) noexcept {
        std::unique_ptr<char[]> chunk(c);
        try {
            const std::lock_guard lock(mutex_);
            free_.push_back(std::move(chunk));
        } catch (...) {  // no room to keep it: it is freed instead
        }
    }

    std::mutex mutex_;
    std::vector<std::unique_ptr<char[]>> free_;
};

}  // namespace

bool read_records_held(const std::string& path, const held_record_callback& on_record,
                       std::string& error) {
    const int fd = path == "-" ? 0 : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        error = path + ": " + std::strerror(errno);
        return false;
    }
    fd_guard guard(fd);
    const auto pool = std::make_shared<chunk_pool>();
    std::shared_ptr<char> chunk = pool->take();
    chunk_hold hold = chunk;  // what the records of this chunk are given
    std::size_t filled = 0;
    std::size_t line = 1;  // line number of chunk[0]
    parsers::record_splitter splitter(/*comments=*/true);

    const auto emit = [&](std::string_view rec) {
        on_record(rec, line + splitter.record_line(), hold);
    };

    bool eof = false;
    while (!eof) {
        const ssize_t n = ::read(fd, chunk.get() + filled, chunk_bytes - filled);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            error = path + ": " + std::strerror(errno);
            return false;
        }
        eof = n == 0;
        filled += static_cast<std::size_t>(n);
        const std::string_view all(chunk.get(), filled);
        if (eof) {
            splitter.split(all, emit);
            break;
        }
        std::size_t used = splitter.split_complete(all, emit);
        std::size_t used_lines = splitter.consumed_lines();
        if (used == 0 && filled == chunk_bytes) {
            // One record fills the whole chunk: hand it on (it will be refused as too long)
            // and continue after it, so a hostile input cannot grow memory.
            const std::size_t nl = all.rfind('\n');
            used = nl == std::string_view::npos || nl < read_size ? filled : nl + 1;
            on_record(all.substr(0, used), line, hold);
            used_lines =
                static_cast<std::size_t>(std::count(all.begin(), all.begin() + used, '\n'));
        }
        line += used_lines;
        // The records handed on may still be held: the rest goes to another chunk, and this
        // one returns to the pool once nothing holds it.
        std::shared_ptr<char> next = pool->take();
        std::memcpy(next.get(), chunk.get() + used, filled - used);
        filled -= used;
        chunk = std::move(next);
        hold = chunk;
    }
    return true;
}

bool read_records(const std::string& path, const record_callback& on_record, std::string& error) {
    return read_records_held(
        path,
        [&](std::string_view record, std::size_t line, const chunk_hold&) {
            on_record(record, line);
        },
        error);
}

}  // namespace ikewatch::cli
