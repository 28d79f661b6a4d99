#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ikewatch::daemon {

/// Splits a TCP syslog byte stream into messages, RFC 6587: a frame that starts with a digit is
/// octet-counted (`LEN SP MSG`), any other is newline-terminated (LF, with an optional CR before
/// it). The framing is decided per frame, as senders mix them. Memory is bounded by
/// `max_message`: a longer message is cut there (the rest skipped) and counted, and a count
/// larger than any message is read as text. Never throws.
class tcp_framer {
  public:
    explicit tcp_framer(std::size_t max_message);

    /// Feeds received bytes; calls `on_frame(std::string_view)` for every complete message.
    template <typename F>
    void feed(std::string_view data, F&& on_frame) {
        while (!data.empty()) {
            if (step(data)) {
                on_frame(std::string_view(frame_));
                frame_.clear();
            }
        }
    }

    /// The peer closed: a last line without its newline is still a message.
    template <typename F>
    void finish(F&& on_frame) {
        if (state_ == state::line && !frame_.empty()) {
            on_frame(std::string_view(frame_));
        } else if (state_ != state::start && state_ != state::skip_line) {
            ++incomplete_;
        }
        frame_.clear();
        state_ = state::start;
    }

    [[nodiscard]] std::uint64_t truncated() const noexcept { return truncated_; }
    [[nodiscard]] std::uint64_t incomplete() const noexcept { return incomplete_; }
    /// Bytes held for a message not yet complete.
    [[nodiscard]] std::size_t buffered() const noexcept { return frame_.size(); }
    /// True while a message has started and not yet ended.
    [[nodiscard]] bool in_frame() const noexcept { return state_ != state::start; }

  private:
    enum class state : std::uint8_t { start, count, body, line, skip_body, skip_line };
    // Consumes a prefix of `data`; true when frame_ holds a complete message.
    bool step(std::string_view& data);

    std::size_t max_;
    std::string frame_;
    state state_ = state::start;
    std::size_t remaining_ = 0;  // body bytes still to read (count framing)
    std::uint64_t truncated_ = 0;
    std::uint64_t incomplete_ = 0;
};

}  // namespace ikewatch::daemon
