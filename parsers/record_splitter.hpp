#pragma once

#include <algorithm>
#include <cstddef>
#include <string_view>

#include "common/text.hpp"

namespace ikewatch::parsers {

/// True when a physical line begins a new record (a header, a timestamp, a Cisco marker), as
/// opposed to continuing the previous one.
[[nodiscard]] bool starts_record(std::string_view line) noexcept;

/// True when a record whose first line is `first_line` expects continuation lines without
/// indentation (ASA `Transmitting Proxy Id:` and IOS `IPSEC(sa_request): ,` end with `:` / `,`).
/// Called on every record: most lines end in a character that settles it without trimming.
[[nodiscard]] inline bool expects_continuation(std::string_view first_line) noexcept {
    if (first_line.empty()) {
        return false;
    }
    const char last = first_line.back();
    if (last != ' ' && last != '\t' && last != '\r' && last != '\n') {
        return last == ':' || last == ',';
    }
    const std::string_view t = text::trim(first_line);
    return !t.empty() && (t.back() == ':' || t.back() == ',');
}

/// Groups physical lines into records: a record is its first line plus the lines that continue
/// it (indented lines, or header-less lines while the first line expects them). Records are
/// contiguous ranges of the input, so no copy is made; the newlines inside a record are kept.
///
/// Feed the whole text with `split`; a trailing line without a newline is a record too. For
/// streams, `split_complete` leaves the last record pending (its continuation may still come)
/// and returns how many bytes were consumed.
class record_splitter {
  public:
    static constexpr std::size_t max_continuation_lines = 16;

    /// With `comments`, lines starting with `#` are skipped like blank lines (annotated excerpts
    /// and test corpora). No Cisco line starts with `#`.
    explicit record_splitter(bool comments = false) noexcept : comments_(comments) {}

    template <typename OnRecord>
    void split(std::string_view text, OnRecord&& on_record) {
        (void)run(text, on_record, /*eof=*/true);
    }

    /// Emits every record that is certainly complete (followed by the start of another record)
    /// and returns the number of bytes consumed; the caller keeps the rest for later.
    template <typename OnRecord>
    std::size_t split_complete(std::string_view text, OnRecord&& on_record) {
        return run(text, on_record, /*eof=*/false);
    }

    /// During a callback: the physical line the record starts on, counted from 0 at the start of
    /// the text given to this call.
    [[nodiscard]] std::size_t record_line() const noexcept { return record_line_; }
    /// After split_complete: the physical lines in the bytes it consumed.
    [[nodiscard]] std::size_t consumed_lines() const noexcept { return consumed_lines_; }

  private:
    // With `eof`, a last line without a newline is a line and the last record is complete.
    template <typename OnRecord>
    std::size_t run(std::string_view text, OnRecord& on_record, bool eof) {
        std::size_t record_start = std::string_view::npos;
        std::size_t record_end = 0;
        std::size_t continuation = 0;
        bool open = false;
        std::size_t pos = 0;
        std::size_t consumed = 0;
        std::size_t line_no = 0;  // of the physical line at `pos`
        std::size_t start_line = 0;
        consumed_lines_ = 0;
        while (pos < text.size()) {
            std::size_t nl = text.find('\n', pos);
            if (nl == std::string_view::npos) {
                if (!eof) {
                    break;  // incomplete physical line
                }
                nl = text.size();
            }
            std::string_view line = text.substr(pos, nl - pos);
            if (!line.empty() && line.back() == '\r') {
                line.remove_suffix(1);
            }
            const bool blank = only_spaces_and_tabs(line) || (comments_ && line[0] == '#');
            const bool indented = !blank && (line[0] == ' ' || line[0] == '\t');
            const bool continues = record_start != std::string_view::npos && !blank &&
                                   continuation < max_continuation_lines &&
                                   (indented || (open && !starts_record(line)));
            if (continues) {
                ++continuation;
                record_end = pos + line.size();
            } else {
                if (record_start != std::string_view::npos) {
                    record_line_ = start_line;
                    on_record(text.substr(record_start, record_end - record_start));
                    consumed = pos;
                    consumed_lines_ = line_no;
                    record_start = std::string_view::npos;
                }
                if (blank) {
                    consumed = nl + 1 > text.size() ? text.size() : nl + 1;
                    consumed_lines_ = line_no + 1;
                } else {
                    record_start = pos;
                    record_end = pos + line.size();
                    start_line = line_no;
                    continuation = 0;
                    open = expects_continuation(line);
                }
            }
            pos = nl + 1;
            ++line_no;
        }
        if (eof && record_start != std::string_view::npos) {
            record_line_ = start_line;
            on_record(text.substr(record_start, record_end - record_start));
            consumed = text.size();
            consumed_lines_ = line_no;
        }
        return consumed;
    }

    [[nodiscard]] static bool only_spaces_and_tabs(std::string_view line) noexcept {
        // A line that starts with anything else is settled by its first character.
        if (!line.empty() && line[0] != ' ' && line[0] != '\t') {
            return false;
        }
        return std::all_of(line.begin(), line.end(), [](char c) { return c == ' ' || c == '\t'; });
    }

    bool comments_;
    std::size_t record_line_ = 0;
    std::size_t consumed_lines_ = 0;
};

}  // namespace ikewatch::parsers
