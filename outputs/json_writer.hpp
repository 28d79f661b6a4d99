#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "common/time.hpp"

namespace ikewatch::outputs {

/// A byte JSON strings carry as it is: printable ASCII other than `"` and `\`.
[[nodiscard]] constexpr bool json_plain_byte(unsigned char b) noexcept {
    return b >= 0x20 && b < 0x7F && b != '"' && b != '\\';
}

/// A key of a fixed schema: a short string literal of plain bytes only, checked when the program
/// is compiled, so that writing it needs no escaping. It is kept as written after another value,
/// comma, quotes and colon included (`,"name":`), and goes out in one copy.
class json_key {
  public:
    template <std::size_t N>
    consteval json_key(const char (&k)[N])  // NOLINT(google-explicit-constructor): literals only
        : size_(N - 1 + 4) {
        if (N - 1 + 4 > copied) {
            throw "a JSON key of the schema must be short";
        }
        written_[0] = ',';
        written_[1] = '"';
        for (std::size_t i = 0; i + 1 < N; ++i) {
            if (!json_plain_byte(static_cast<unsigned char>(k[i]))) {
                throw "a JSON key written without escaping must be printable ASCII";
            }
            written_[i + 2] = k[i];
        }
        written_[N + 1] = '"';
        written_[N + 2] = ':';
    }
    /// The key as it is written after another value of its object: `,"name":`.
    [[nodiscard]] constexpr std::string_view after_value() const noexcept {
        return {written_.data(), size_};
    }
    /// The key as it is written first in its object: `"name":`.
    [[nodiscard]] constexpr std::string_view first() const noexcept {
        return after_value().substr(1);
    }

    /// Bytes that may be copied from the start of either form, whatever the key's length: a
    /// writer copies this many and keeps the key's own.
    static constexpr std::size_t copied = 31;

  private:
    std::array<char, copied + 1> written_{};
    std::size_t size_;
};

/// Times as quoted RFC 3339 strings, with a memory of the last two days written: the times of
/// an alert, and of the alerts after it, are often the same, and nearly always of one of two days
/// (the lines' and the clock's at the receiver); a time of a day remembered gets only its clock
/// written anew. A writer has its own; one kept from writer to writer also serves the next alert.
class json_time_memo {
  public:
    /// `t` as `"2026-06-01T12:00:00.000Z"`, quotes included; valid until the next call.
    [[nodiscard]] std::string_view quoted(micros t) noexcept;

  private:
    struct day_text {
        micros time = 0;       // the last time written in it
        std::int64_t day = 0;  // days since 1970 of `time`
        std::array<char, 32> text{};
        std::size_t size = 0;  // 0 until a time is written
    };
    std::array<day_text, 2> days_{};
    std::size_t last_ = 0;  // the one written last
};

/// Writes JSON of a schema known in advance straight into a string, without a document: for
/// the records written once per alert. Strings are escaped exactly as `dump_json` escapes them:
/// invalid UTF-8 becomes U+FFFD, `"`, `\` and C0 controls are escaped as JSON requires, and DEL,
/// the C1 controls, the line separators and the bidirectional controls as `\uXXXX`. Keys are
/// written in the order given; callers give them sorted, as a document would print them.
///
/// The pieces of a value (keys, separators, short strings) gather in a buffer of the writer's,
/// which goes to the string in one copy when it fills and when a value at the top level is
/// complete: `out` holds every whole top-level value written so far (and the rest when the
/// writer is gone).
class json_writer {
  public:
    explicit json_writer(std::string& out) noexcept : out_(out), times_(&own_times_) {}
    /// Writing its times through `times`, which outlives the writer.
    json_writer(std::string& out, json_time_memo& times) noexcept : out_(out), times_(&times) {}
    json_writer(const json_writer&) = delete;
    json_writer& operator=(const json_writer&) = delete;
    json_writer(json_writer&&) = delete;
    json_writer& operator=(json_writer&&) = delete;
    ~json_writer() { flush(); }

    void begin_object() { open('{'); }
    void end_object() { close('}'); }
    void begin_array() { open('['); }
    void end_array() { close(']'); }
    /// The key of the next value in an object: one of the schema's names.
    void key(const json_key& k) {
        // The key's bytes are copied whole, a fixed count (a few moves), then counted at its
        // size.
        const std::string_view written = first_ ? k.first() : k.after_value();
        std::memcpy(room(json_key::copied), written.data(), json_key::copied);
        used_ += written.size();
        first_ = false;  // a key never follows a key
        after_key_ = true;
    }
    void string(std::string_view s);
    /// A string, or null when it is empty.
    void string_or_null(std::string_view s);
    void number(std::int64_t v);
    /// A number, or null when it is 0.
    void number_or_null(std::int64_t v);
    void boolean(bool v);
    /// An RFC 3339 time as a string (`2026-06-01T12:00:00.000Z`).
    void timestamp(micros t);
    void null();

    /// Bytes that are JSON text already (punctuation, escapes), written as they are.
    void raw(char c) {
        if (used_ == buffer_size) {
            flush();
        }
        buffer_[used_++] = c;
    }
    void raw(std::string_view s);

  private:
    static constexpr std::size_t buffer_size = 1024;

    void open(char c);
    void close(char c);
    void separate();
    /// Room for `n` more bytes in the buffer (n at most buffer_size).
    char* room(std::size_t n) {
        if (buffer_size - used_ < n) {
            flush();
        }
        return buffer_.data() + used_;
    }
    /// A value ended: at the top level it goes to the string.
    void done() {
        if (depth_ == 0) {
            flush();
        }
    }
    void flush() {
        out_.append(buffer_.data(), used_);
        used_ = 0;
    }

    std::string& out_;
    bool first_ = true;  // no value yet at this level
    bool after_key_ = false;
    std::uint32_t depth_ = 0;
    std::size_t used_ = 0;
    // Sixteen bytes of slack: a string copied in is read sixteen bytes at a time. Zeroed when
    // the writer is made, so that no read is of bytes never written.
    std::array<char, buffer_size + 16> buffer_{};
    json_time_memo own_times_;
    json_time_memo* times_;
};

}  // namespace ikewatch::outputs
