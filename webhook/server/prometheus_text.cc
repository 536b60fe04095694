#include "webhook/server/prometheus_text.h"

#include <cmath>

#include <fmt/format.h>

namespace meshward::server::prometheus {

std::string escapeLabelValue(std::string_view value) {
  std::string escaped;
  escaped.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      escaped += "\\\\";
    } else if (c == '"') {
      escaped += "\\\"";
    } else if (c == '\n') {
      escaped += "\\n";
    } else {
      escaped += c;
    }
  }
  return escaped;
}

std::string formatValue(double value) {
  if (std::isnan(value)) {
    return "NaN";
  }
  if (std::isinf(value)) {
    return value > 0 ? "+Inf" : "-Inf";
  }
  return fmt::format("{}", value);
}

void appendHeader(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out.append("# HELP ");
  out.append(name);
  out.append(" ");
  for (char c : help) {
    if (c == '\\') {
      out.append("\\\\");
    } else if (c == '\n') {
      out.append("\\n");
    } else {
      out.push_back(c);
    }
  }
  out.append("\n# TYPE ");
  out.append(name);
  out.append(" ");
  out.append(type);
  out.append("\n");
}

void appendSample(std::string& out, std::string_view name, std::initializer_list<Label> labels, double value) {
  appendSampleWithLabels(out, name, labels, formatValue(value));
}

void appendSample(std::string& out, std::string_view name, std::initializer_list<Label> labels,
                  std::uint64_t value) {
  appendSampleWithLabels(out, name, labels, std::to_string(value));
}

}  // namespace meshward::server::prometheus
