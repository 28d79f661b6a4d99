#include "cli/record_reader.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

#include "parsers/record_splitter.hpp"

namespace ikewatch::cli {

namespace {

constexpr std::size_t chunk_size = 1 << 20;

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

    const auto emit = [&](std::string_view rec) { on_record(rec, line + splitter.record_line()); };

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
        if (eof) {
            splitter.split(all, emit);
            break;
        }
        std::size_t used = splitter.split_complete(all, emit);
        std::size_t used_lines = splitter.consumed_lines();
        if (used == 0 && filled == buf.size()) {
            // One record fills the whole buffer: hand it on (it will be refused as too long)
            // and continue after it, so a hostile input cannot grow memory.
            const std::size_t nl = all.rfind('\n');
            used = nl == std::string_view::npos || nl < chunk_size ? filled : nl + 1;
            on_record(all.substr(0, used), line);
            used_lines =
                static_cast<std::size_t>(std::count(all.begin(), all.begin() + used, '\n'));
        }
        line += used_lines;
        std::memmove(buf.data(), buf.data() + used, filled - used);
        filled -= used;
    }
    return true;
}

}  // namespace ikewatch::cli
