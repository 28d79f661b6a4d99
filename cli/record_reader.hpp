#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace ikewatch::cli {

/// Called for each record with the record text and the number of its first physical line.
using record_callback = std::function<void(std::string_view record, std::size_t line)>;

/// Reads records (a line and its continuation lines; `#` comment lines skipped) from `path`, or
/// from standard input when `path` is "-", in bounded chunks. A line longer than the chunk is
/// passed on in pieces of at most the chunk size (the framer refuses them as too long) so memory
/// stays bounded. Returns false with `error` set when the input cannot be read.
[[nodiscard]] bool read_records(const std::string& path, const record_callback& on_record,
                                std::string& error);

/// Keeps the chunk a record lies in unchanged while anything holds it.
using chunk_hold = std::shared_ptr<const void>;

/// The same, for a caller that keeps records after the call: each comes with a hold on its
/// chunk, and the reader never writes into a chunk while a hold on it lives. Chunks come back
/// for reuse when their last hold goes, so the memory in use is the chunks held plus two.
using held_record_callback =
    std::function<void(std::string_view record, std::size_t line, const chunk_hold& chunk)>;
[[nodiscard]] bool read_records_held(const std::string& path, const held_record_callback& on_record,
                                     std::string& error);

}  // namespace ikewatch::cli
