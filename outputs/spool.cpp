#include "outputs/spool.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fcntl.h>
#include <unistd.h>

#include "common/text.hpp"

namespace ikewatch::outputs {

namespace fs = std::filesystem;

namespace {

constexpr std::uint64_t segment_limit = 4ULL << 20;

// A record on disk: its length in decimal, a space, the bytes, a newline.
std::string encode(const std::string& record) {
    return std::to_string(record.size()) + ' ' + record + '\n';
}

bool write_all(int fd, const std::string& data) {
    std::size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return false;
        }
        done += static_cast<std::size_t>(n);
    }
    return true;
}

}  // namespace

spool::spool(std::string dir, std::size_t max_bytes)
    : dir_(std::move(dir)), max_bytes_(max_bytes == 0 ? 1 : max_bytes) {}

std::string spool::segment_path(std::uint64_t seq) const {
    char name[32];
    std::snprintf(name, sizeof name, "%016llu.spool", static_cast<unsigned long long>(seq));
    return (fs::path(dir_) / name).string();
}

bool spool::open(std::string& error) {
    if (dir_.empty()) {
        return true;
    }
    const std::lock_guard lock(mutex_);
    std::error_code ec;
    fs::create_directories(dir_, ec);
    if (ec) {
        error = dir_ + ": " + ec.message();
        return false;
    }
    // Where the last run stopped confirming: `SEGMENT OFFSET`.
    std::uint64_t cursor_segment = 0;
    std::uint64_t cursor_offset = 0;
    if (std::ifstream in(fs::path(dir_) / "cursor"); in) {
        in >> cursor_segment >> cursor_offset;
    }
    std::vector<std::uint64_t> segments;
    for (const auto& e : fs::directory_iterator(dir_, ec)) {
        const std::string name = e.path().filename().string();
        if (name.size() == 22 && name.ends_with(".spool")) {
            if (const auto seq =
                    text::to_number<std::uint64_t>(std::string_view(name).substr(0, 16))) {
                segments.push_back(*seq);
            }
        }
    }
    std::sort(segments.begin(), segments.end());
    for (const std::uint64_t seq : segments) {
        if (seq < cursor_segment) {
            fs::remove(segment_path(seq), ec);  // confirmed before the restart
            continue;
        }
        load_segment(seq, seq == cursor_segment ? cursor_offset : 0);
    }
    // Append to a fresh segment: the last one may end with half a record.
    segment_ = segments.empty() ? 1 : segments.back() + 1;
    first_segment_ = std::max(cursor_segment, segments.empty() ? segment_ : segments.front());
    remove_segments_before(pending_.empty() ? segment_ : pending_.front().segment);
    fd_ = ::open(segment_path(segment_).c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (fd_ < 0) {
        error = segment_path(segment_) + ": " + std::strerror(errno);
        return false;
    }
    segment_size_ = 0;
    return true;
}

void spool::load_segment(std::uint64_t seq, std::uint64_t from) {
    std::ifstream in(segment_path(seq), std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    const std::string data = ss.str();
    std::size_t pos = from;
    while (pos < data.size()) {
        const std::size_t space = data.find(' ', pos);
        if (space == std::string::npos || space - pos > 12) {
            break;
        }
        const auto len =
            text::to_number<std::size_t>(std::string_view(data).substr(pos, space - pos));
        if (!len || space + 1 + *len >= data.size() || data[space + 1 + *len] != '\n') {
            break;  // a record cut short by a crash: what follows cannot be trusted
        }
        const std::uint64_t end = space + 1 + *len + 1;
        pending_.push_back({data.substr(space + 1, *len), seq, end});
        bytes_ += *len;
        pos = end;
    }
}

void spool::write_cursor(std::uint64_t seq, std::uint64_t offset) {
    const fs::path tmp = fs::path(dir_) / "cursor.tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << seq << ' ' << offset << '\n';
        if (!out) {
            ++stats_.write_errors;
            return;
        }
    }
    std::error_code ec;
    fs::rename(tmp, fs::path(dir_) / "cursor", ec);
    if (ec) {
        ++stats_.write_errors;
    }
}

void spool::remove_segments_before(std::uint64_t seq) {
    std::error_code ec;
    for (; first_segment_ < seq; ++first_segment_) {
        fs::remove(segment_path(first_segment_), ec);
    }
}

void spool::drop_oldest() {
    const entry& e = pending_.front();
    bytes_ -= e.record.size();
    ++stats_.lost;
    if (!dir_.empty()) {
        write_cursor(e.segment, e.end);
    }
    pending_.pop_front();
    ++front_seq_;
    if (!dir_.empty()) {
        remove_segments_before(pending_.empty() ? segment_ : pending_.front().segment);
    }
}

void spool::push(std::string record) {
    const std::lock_guard lock(mutex_);
    ++stats_.pushed;
    entry e;
    if (!dir_.empty() && fd_ >= 0) {
        if (segment_size_ >= segment_limit) {
            ::close(fd_);
            ++segment_;
            segment_size_ = 0;
            fd_ = ::open(segment_path(segment_).c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
                         0640);
        }
        const std::string encoded = encode(record);
        if (fd_ >= 0 && write_all(fd_, encoded)) {
            segment_size_ += encoded.size();
        } else {
            ++stats_.write_errors;  // kept in memory: it is only lost if the daemon stops
        }
        e.segment = segment_;
        e.end = segment_size_;
    }
    bytes_ += record.size();
    e.record = std::move(record);
    pending_.push_back(std::move(e));
    while (bytes_ > max_bytes_ && pending_.size() > 1) {
        drop_oldest();
    }
}

spool::batch spool::peek_from(std::uint64_t from, std::size_t n) const {
    const std::lock_guard lock(mutex_);
    batch out;
    out.first = std::max(from, front_seq_);
    for (std::uint64_t i = out.first - front_seq_; i < pending_.size() && out.records.size() < n;
         ++i) {
        out.records.push_back(pending_[i].record);
    }
    return out;
}

void spool::confirm_before(std::uint64_t end) {
    const std::lock_guard lock(mutex_);
    if (end > front_seq_) {  // else dropped past the limit (counted as lost) or confirmed already
        confirm_front(static_cast<std::size_t>(end - front_seq_));
    }
}

std::vector<std::string> spool::peek(std::size_t skip, std::size_t n) const {
    const std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    for (std::size_t i = skip; i < pending_.size() && out.size() < n; ++i) {
        out.push_back(pending_[i].record);
    }
    return out;
}

void spool::confirm(std::size_t n) {
    const std::lock_guard lock(mutex_);
    confirm_front(n);
}

void spool::confirm_front(std::size_t n) {
    n = std::min(n, pending_.size());
    if (n == 0) {
        return;
    }
    const entry last = pending_[n - 1];
    for (std::size_t i = 0; i < n; ++i) {
        bytes_ -= pending_.front().record.size();
        pending_.pop_front();
    }
    front_seq_ += n;
    stats_.confirmed += n;
    if (!dir_.empty()) {
        write_cursor(last.segment, last.end);
        remove_segments_before(last.segment);
    }
}

std::size_t spool::pending() const {
    const std::lock_guard lock(mutex_);
    return pending_.size();
}

std::size_t spool::pending_bytes() const {
    const std::lock_guard lock(mutex_);
    return bytes_;
}

spool_stats spool::stats() const {
    const std::lock_guard lock(mutex_);
    return stats_;
}

}  // namespace ikewatch::outputs
