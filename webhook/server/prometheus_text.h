#pragma once
// The pieces of the Prometheus text exposition format (version 0.0.4) that meshward's metrics
// need: HELP/TYPE headers, escaped label values and sample values Prometheus parses back.

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace meshward::server::prometheus {

using Label = std::pair<std::string_view, std::string_view>;  // name, value

// Escapes backslash, double quote and line feed, as label values require.
std::string escapeLabelValue(std::string_view value);

// The shortest text that parses back to `value`; "+Inf", "-Inf" and "NaN" for the specials.
std::string formatValue(double value);

// "# HELP name help" and "# TYPE name type" lines (help text escaped).
void appendHeader(std::string& out, std::string_view name, std::string_view type, std::string_view help);

// One sample line: name{label="value",...} value
void appendSample(std::string& out, std::string_view name, std::initializer_list<Label> labels, double value);
void appendSample(std::string& out, std::string_view name, std::initializer_list<Label> labels,
                  std::uint64_t value);

// The same for a label list built at run time.
template <typename LabelRange>
void appendSampleWithLabels(std::string& out, std::string_view name, const LabelRange& labels,
                            std::string_view value_text);

}  // namespace meshward::server::prometheus

namespace meshward::server::prometheus {

template <typename LabelRange>
void appendSampleWithLabels(std::string& out, std::string_view name, const LabelRange& labels,
                            std::string_view value_text) {
  out.append(name);
  bool first = true;
  for (const auto& [label_name, label_value] : labels) {
    out.append(first ? "{" : ",");
    first = false;
    out.append(label_name);
    out.append("=\"");
    out.append(escapeLabelValue(label_value));
    out.append("\"");
  }
  if (!first) {
    out.append("}");
  }
  out.append(" ");
  out.append(value_text);
  out.append("\n");
}

}  // namespace meshward::server::prometheus
