#include "cli/record_reader.hpp"

#include <cerrno>
#include <cstring>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

#include "parsers/record_splitter.hpp"

namespace ikewatch::cli {

namespace {

constexpr std::size_t chunk_size = 1 << 20;

// Newlines in [from, to): records are usually one line, so a memchr per newline beats looking at
// every byte.
std::size_t newlines(const char* from, const char* to) {
    std::size_t n = 0;
    while (from < to) {
        const void* nl = std::memchr(from, '\n', static_cast<std::size_t>(to - from));
        if (nl == nullptr) {
            break;
        }
        ++n;
        from = static_cast<const char*>(nl) + 1;
    }
    return n;
}

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

}  // namespace

bool read_records(const std::string& path, const record_callback& on_record, std::string& error) {
    const int fd = path == "-" ? 0 : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        error = path + ": " + std::strerror(errno);
        return false;
    }
    fd_guard guard(fd);
    std::vector<char> buf(chunk_size * 2);
    std::size_t filled = 0;
    std::size_t line = 1;  // line number of buf[0]
    parsers::record_splitter splitter(/*comments=*/true);

    // Counts newlines from the last counted offset up to a record's start.
    std::size_t counted_off = 0;
    std::size_t counted_line = 1;
    auto emit = [&](std::string_view all, std::string_view rec) {
        const auto off = static_cast<std::size_t>(rec.data() - all.data());
        counted_line += newlines(all.data() + counted_off, all.data() + off);
        counted_off = off;
        on_record(rec, counted_line);
    };

    bool eof = false;
    while (!eof) {
        const ssize_t n = ::read(fd, buf.data() + filled, buf.size() - filled);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            error = path + ": " + std::strerror(errno);
            return false;
        }
        eof = n == 0;
        filled += static_cast<std::size_t>(n);
        const std::string_view all(buf.data(), filled);
        counted_off = 0;
        counted_line = line;
        if (eof) {
            splitter.split(all, [&](std::string_view rec) { emit(all, rec); });
            break;
        }
        std::size_t used =
            splitter.split_complete(all, [&](std::string_view rec) { emit(all, rec); });
        if (used == 0 && filled == buf.size()) {
            // One record fills the whole buffer: hand it on (it will be refused as too long)
            // and continue after it, so a hostile input cannot grow memory.
            const std::size_t nl = all.rfind('\n');
            used = nl == std::string_view::npos || nl < chunk_size ? filled : nl + 1;
            emit(all, all.substr(0, used));
        }
        line += newlines(buf.data(), buf.data() + used);
        std::memmove(buf.data(), buf.data() + used, filled - used);
        filled -= used;
    }
    return true;
}

}  // namespace ikewatch::cli
