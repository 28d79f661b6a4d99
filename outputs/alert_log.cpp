#include "outputs/alert_log.hpp"

#include <array>
#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>

#include "outputs/alert_format.hpp"
#include "outputs/parse_json.hpp"

namespace ikewatch::outputs {

alert_log::alert_log(std::string path, bool json, std::size_t max_queue)
    : path_(std::move(path)), json_(json), max_queue_(max_queue == 0 ? 1 : max_queue) {}

alert_log::~alert_log() {
    flush();
    if (fd_ > STDERR_FILENO) {
        ::close(fd_);
    }
}

int alert_log::open_fd(std::string& error) const {
    if (path_.empty()) {
        return STDOUT_FILENO;
    }
    const int fd = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0) {
        error = path_ + ": " + std::strerror(errno);
    }
    return fd;
}

bool alert_log::open(std::string& error) {
    if (fd_ >= 0) {
        return true;
    }
    fd_ = open_fd(error);
    if (fd_ < 0) {
        ++stats_.failures;
        failing_ = true;
        last_error_ = error;
        return false;
    }
    return true;
}

void alert_log::emit(const rules::alert& a) {
    if (queue_.size() >= max_queue_) {
        // The oldest unwritten line goes first; a line partly written stays, so the file never
        // holds half a line followed by another.
        const bool keep_head = head_written_ > 0;
        queue_.erase(queue_.begin() + (keep_head ? 1 : 0));
        ++stats_.dropped;
    }
    if (json_) {
        std::string line = take_buffer();
        append_alert_json(a, line, times_);
        line += '\n';
        queue_.push_back(std::move(line));
    } else {
        queue_.push_back(alert_text(a));
    }
    if (!batched_ || queue_.size() >= batch_lines) {
        flush();
    }
}

std::string alert_log::take_buffer() {
    if (spare_.empty()) {
        std::string line;
        line.reserve(4096);  // most alert lines fit
        return line;
    }
    std::string line = std::move(spare_.back());
    spare_.pop_back();
    line.clear();
    return line;
}

void alert_log::give_back(std::string&& line) {
    // A line made long by long evidence does not keep its room.
    constexpr std::size_t kept_room = 16 * 1024;
    if (spare_.size() < batch_lines && line.capacity() <= kept_room) {
        spare_.push_back(std::move(line));
    }
}

bool alert_log::flush() {
    if (fd_ < 0) {
        std::string error;
        if (!open(error)) {
            return queue_.empty();
        }
    }
    std::array<iovec, batch_lines> iov{};
    while (!queue_.empty()) {
        // The rest of the line in progress, then whole lines: one writev per batch.
        std::size_t n_iov = 0;
        for (auto it = queue_.begin(); it != queue_.end() && n_iov < iov.size(); ++it, ++n_iov) {
            const std::size_t skip = n_iov == 0 ? head_written_ : 0;
            iov[n_iov].iov_base = it->data() + skip;
            iov[n_iov].iov_len = it->size() - skip;
        }
        const ssize_t n = ::writev(fd_, iov.data(), static_cast<int>(n_iov));
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            ++stats_.failures;
            failing_ = true;
            last_error_ = path_ + ": " + std::strerror(errno);
            return false;
        }
        auto left = static_cast<std::size_t>(n);
        while (left > 0) {
            const std::size_t rest = queue_.front().size() - head_written_;
            if (left < rest) {
                head_written_ += left;
                break;
            }
            left -= rest;
            give_back(std::move(queue_.front()));
            queue_.pop_front();
            head_written_ = 0;
            ++stats_.written;
        }
    }
    failing_ = false;
    return true;
}

bool alert_log::reopen(std::string& error) {
    if (path_.empty()) {
        return true;
    }
    const int fd = open_fd(error);
    if (fd < 0) {
        ++stats_.failures;
        failing_ = true;
        last_error_ = error;
        return false;
    }
    // Finish the line in progress in the old file, then switch.
    if (fd_ >= 0 && head_written_ > 0) {
        flush();
    }
    if (fd_ > STDERR_FILENO) {
        ::close(fd_);
    }
    fd_ = fd;
    // A line the old file could not take whole is written whole to the new one.
    head_written_ = 0;
    ++stats_.reopens;
    flush();
    return true;
}

}  // namespace ikewatch::outputs
