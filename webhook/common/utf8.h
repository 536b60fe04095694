#pragma once
// Well-formed UTF-8 (Unicode table 3-7): what Kubernetes objects are made of, checked where bytes
// come in from files and written out as JSON.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace meshward {

// The length of the well-formed sequence of a non-ASCII lead byte at text[at] (2 to 4), or 0 when
// the bytes there are not one (a stray continuation byte, an overlong form, a surrogate, past
// U+10FFFF, or cut short).
std::size_t utf8SequenceLength(std::string_view text, std::size_t at);

// The offset of the first byte that is not part of well-formed UTF-8; nullopt when all of it is.
std::optional<std::size_t> firstInvalidUtf8(std::string_view text);

// "LINE:COLUMN: not UTF-8 (byte 0xNN)" for the first bad byte of a text read from a file, or
// nullopt when it is all UTF-8.
std::optional<std::string> describeInvalidUtf8(std::string_view text);

// `text` with every byte that is not part of well-formed UTF-8 written as "\xNN": for messages
// that quote input (a parser's "unknown escape character" may quote one byte of a character).
std::string printableUtf8(std::string_view text);

}  // namespace meshward
