#include "policies/change_governance/maintenance_window.h"

#include <array>
#include <charconv>
#include <stdexcept>
#include <vector>

#include <date/tz.h>

#include "webhook/common/ascii.h"

namespace meshward::policies {
namespace {

using std::chrono::minutes;
using Days = std::chrono::duration<long, std::ratio<86400>>;

constexpr std::array<std::string_view, 7> kDayNames = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
constexpr int kMinutesPerDay = 24 * 60;

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) {
      return parts;
    }
    start = end + 1;
  }
}

std::optional<int> dayIndex(std::string_view name) {
  const std::string lower = asciiLowercase(name);
  for (std::size_t i = 0; i < kDayNames.size(); ++i) {
    if (lower == kDayNames[i]) {
      return static_cast<int>(i);
    }
  }
  return std::nullopt;
}

Result<std::bitset<7>> parseDays(std::string_view text) {
  std::bitset<7> days;
  for (const std::string_view item : split(text, ',')) {
    const std::vector<std::string_view> range = split(item, '-');
    if (range.size() > 2) {
      return Error{"'" + std::string(item) + "' is not a day or a range of days such as Mon-Fri"};
    }
    const std::optional<int> first = dayIndex(range.front());
    const std::optional<int> last = dayIndex(range.back());
    if (!first || !last) {
      return Error{"unknown day '" + std::string(first ? range.back() : range.front()) +
                   "' (days are Mon, Tue, Wed, Thu, Fri, Sat, Sun)"};
    }
    for (int day = *first;; day = (day + 1) % 7) {  // Fri-Mon wraps over the weekend
      days.set(static_cast<std::size_t>(day));
      if (day == *last) {
        break;
      }
    }
  }
  return days;
}

std::optional<int> parseClock(std::string_view text, bool end) {
  if (text.size() != 5 || text[2] != ':') {
    return std::nullopt;
  }
  int hours = 0;
  int mins = 0;
  const auto [hours_end, hours_error] = std::from_chars(text.data(), text.data() + 2, hours);
  const auto [mins_end, mins_error] = std::from_chars(text.data() + 3, text.data() + 5, mins);
  if (hours_error != std::errc() || mins_error != std::errc() || hours_end != text.data() + 2 ||
      mins_end != text.data() + 5 || mins > 59) {
    return std::nullopt;
  }
  const int total = hours * 60 + mins;
  if (total > kMinutesPerDay || (total == kMinutesPerDay && !end)) {
    return std::nullopt;
  }
  return total;
}

}  // namespace

Result<MaintenanceWindow> MaintenanceWindow::parse(std::string_view text) {
  const std::string example = " (write DAYS HH:MM-HH:MM ZONE, e.g. \"Mon-Fri 09:00-17:00 Europe/Berlin\")";
  std::vector<std::string_view> fields;
  for (const std::string_view field : split(text, ' ')) {
    if (!field.empty()) {
      fields.push_back(field);
    }
  }
  if (fields.size() != 3) {
    return Error{"'" + std::string(text) + "' is not a maintenance window" + example};
  }
  MaintenanceWindow window;
  window.text_ = std::string(text);
  Result<std::bitset<7>> days = parseDays(fields[0]);
  if (!days) {
    return Error{days.error() + example};
  }
  window.weekdays_ = *days;
  const std::vector<std::string_view> times = split(fields[1], '-');
  const std::optional<int> start = times.size() == 2 ? parseClock(times[0], false) : std::nullopt;
  const std::optional<int> end = times.size() == 2 ? parseClock(times[1], true) : std::nullopt;
  if (!start || !end) {
    return Error{"'" + std::string(fields[1]) + "' is not a time range such as 09:00-17:00 (00:00 to 24:00)" + example};
  }
  if (*start == *end) {
    return Error{"'" + std::string(fields[1]) + "' is empty: for a whole day write 00:00-24:00"};
  }
  window.start_minutes_ = *start;
  window.end_minutes_ = *end;
  try {
    window.zone_ = date::locate_zone(std::string(fields[2]));
  } catch (const std::exception&) {
    return Error{"unknown time zone '" + std::string(fields[2]) + "' (an IANA name such as Europe/Berlin or UTC)"};
  }
  return window;
}

long MaintenanceWindow::localDay(TimePoint at) const {
  const auto local = zone_->to_local(date::floor<std::chrono::seconds>(at));
  return date::floor<Days>(local).time_since_epoch().count();
}

std::optional<MaintenanceWindow::Occurrence> MaintenanceWindow::occurrenceOn(long days_since_epoch) const {
  const date::local_days day{Days{days_since_epoch}};
  if (!weekdays_.test(date::weekday(day).c_encoding())) {
    return std::nullopt;
  }
  const bool next_day = end_minutes_ <= start_minutes_;
  const date::local_seconds opens_local = day + minutes(start_minutes_);
  const date::local_seconds closes_local = day + Days(next_day ? 1 : 0) + minutes(end_minutes_);
  // A nonexistent wall-clock time maps to the jump; a repeated one to its first showing when the
  // window opens and its last when it closes.
  return Occurrence{zone_->to_sys(opens_local, date::choose::earliest),
                    zone_->to_sys(closes_local, date::choose::latest)};
}

bool MaintenanceWindow::contains(TimePoint at) const {
  const long today = localDay(at);
  for (const long day : {today - 1, today}) {
    const std::optional<Occurrence> occurrence = occurrenceOn(day);
    if (occurrence && occurrence->opens <= at && at < occurrence->closes) {
      return true;
    }
  }
  return false;
}

MaintenanceWindow::TimePoint MaintenanceWindow::nextOpening(TimePoint at) const {
  const long today = localDay(at);
  for (long day = today; day <= today + 8; ++day) {
    const std::optional<Occurrence> occurrence = occurrenceOn(day);
    if (occurrence && occurrence->opens > at) {
      return occurrence->opens;
    }
  }
  throw std::logic_error("maintenance window without days: " + text_);
}

std::string MaintenanceWindow::describeLocal(TimePoint at) const {
  return date::format("%a %F %H:%M %Z", date::make_zoned(zone_, date::floor<std::chrono::seconds>(at)));
}

std::string describeWait(MaintenanceWindow::TimePoint now, MaintenanceWindow::TimePoint then) {
  long total = std::chrono::duration_cast<minutes>(then - now).count();
  if (then - now > minutes(total)) {
    ++total;  // a part of a minute counts as a whole one
  }
  const long days = total / kMinutesPerDay;
  const long hours = total % kMinutesPerDay / 60;
  const long mins = total % 60;
  std::string text = "in";
  if (days > 0) {
    text += " " + std::to_string(days) + "d";
  }
  if (hours > 0) {
    text += " " + std::to_string(hours) + "h";
  }
  if (mins > 0 || text == "in") {
    text += " " + std::to_string(mins) + "m";
  }
  return text;
}

}  // namespace meshward::policies
