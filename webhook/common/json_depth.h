#pragma once
// The one pass over raw JSON text that meshward makes before parsing untrusted input: it skips
// strings (escapes included) and tracks nesting, so callers can bound depth (a document nested
// 100,000 levels deep is refused with a message instead of exhausting the stack) or note where
// things start, without a parser.

#include <cstddef>
#include <string_view>

namespace meshward {

// Walks `text` once. For each string: `visitor.string(raw, depth, line)` with its raw contents
// between the quotes (escapes left as written). For each other character that is not whitespace:
// `visitor.token(c, depth, line)`. `depth` counts the objects/arrays open before it and `line`
// (1-based) is where it starts. Either returning false stops the walk. Never fails: text that is
// not JSON is for the parser to reject.
template <typename Visitor>
void scanJson(std::string_view text, Visitor& visitor) {
  int depth = 0;
  int line = 1;
  for (std::size_t at = 0; at < text.size(); ++at) {
    const char c = text[at];
    if (c == '\n') {
      ++line;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\r') {
      continue;
    }
    if (c == '"') {
      const int string_line = line;
      const std::size_t start = at + 1;
      std::size_t end = start;
      while (end < text.size() && text[end] != '"') {
        if (text[end] == '\n') {
          ++line;
        }
        end += text[end] == '\\' ? 2 : 1;
      }
      end = end < text.size() ? end : text.size();
      if (!visitor.string(text.substr(start, end - start), depth, string_line)) {
        return;
      }
      at = end;
      continue;
    }
    if (!visitor.token(c, depth, line)) {
      return;
    }
    if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
}

// True when `text` nests arrays/objects at most `max_depth` deep (brackets inside strings are
// not counted).
bool jsonDepthWithin(std::string_view text, int max_depth);

}  // namespace meshward
