#include "daemon/tcp_framer.hpp"

#include <algorithm>
#include <cstring>

namespace ikewatch::daemon {

namespace {
constexpr std::size_t max_count_digits = 9;
bool digit(char c) noexcept {
    return c >= '0' && c <= '9';
}
}  // namespace

tcp_framer::tcp_framer(std::size_t max_message) : max_(std::max<std::size_t>(max_message, 16)) {
    frame_.reserve(256);
}

bool tcp_framer::step(std::string_view& data) {
    switch (state_) {
        case state::start: {
            // Blank lines between frames carry nothing.
            if (data.front() == '\n' || data.front() == '\r') {
                data.remove_prefix(1);
                return false;
            }
            state_ = digit(data.front()) ? state::count : state::line;
            return false;
        }
        case state::count: {
            // Digits of the count, kept in frame_ in case this turns out to be text.
            while (!data.empty() && digit(data.front()) && frame_.size() < max_count_digits) {
                frame_.push_back(data.front());
                data.remove_prefix(1);
            }
            if (data.empty()) {
                return false;
            }
            if (data.front() != ' ' || frame_.empty()) {
                state_ = state::line;  // `2026-06-01T…` or `123abc`: a text line after all
                return false;
            }
            std::size_t n = 0;
            for (const char c : frame_) {
                n = n * 10 + static_cast<std::size_t>(c - '0');
            }
            data.remove_prefix(1);
            frame_.clear();
            if (n == 0) {
                state_ = state::start;
                return false;
            }
            remaining_ = n;
            state_ = state::body;
            return false;
        }
        case state::body: {
            const std::size_t room = max_ - frame_.size();
            const std::size_t take = std::min({remaining_, data.size(), room});
            frame_.append(data.substr(0, take));
            data.remove_prefix(take);
            remaining_ -= take;
            if (remaining_ == 0) {
                state_ = state::start;
                return true;
            }
            if (frame_.size() >= max_) {
                ++truncated_;
                state_ = state::skip_body;
                return true;
            }
            return false;
        }
        case state::skip_body: {
            const std::size_t take = std::min(remaining_, data.size());
            data.remove_prefix(take);
            remaining_ -= take;
            if (remaining_ == 0) {
                state_ = state::start;
            }
            return false;
        }
        case state::line: {
            const std::size_t room = max_ - frame_.size();
            const std::size_t scan = std::min(data.size(), room);
            const void* nl = std::memchr(data.data(), '\n', scan);
            if (nl != nullptr) {
                const auto len =
                    static_cast<std::size_t>(static_cast<const char*>(nl) - data.data());
                frame_.append(data.substr(0, len));
                data.remove_prefix(len + 1);
                if (!frame_.empty() && frame_.back() == '\r') {
                    frame_.pop_back();
                }
                state_ = state::start;
                return !frame_.empty();
            }
            frame_.append(data.substr(0, scan));
            data.remove_prefix(scan);
            if (frame_.size() >= max_) {
                ++truncated_;
                state_ = state::skip_line;
                return true;
            }
            return false;
        }
        case state::skip_line: {
            const void* nl = std::memchr(data.data(), '\n', data.size());
            if (nl == nullptr) {
                data = {};
                return false;
            }
            data.remove_prefix(
                static_cast<std::size_t>(static_cast<const char*>(nl) - data.data()) + 1);
            state_ = state::start;
            return false;
        }
    }
    return false;
}

}  // namespace ikewatch::daemon
