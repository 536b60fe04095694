#pragma once
// A maintenance window of the change-governance rule, written "DAYS HH:MM-HH:MM ZONE" (e.g.
// "Mon-Fri 09:00-17:00 Europe/Berlin", "Sat,Sun 22:00-02:00 UTC"): it opens on each of DAYS at the
// start time on the zone's wall clock and closes at the end time, the next day when the end is not
// after the start. Across daylight-saving changes the wall clock decides: an opening or closing in
// the skipped hour happens when the clocks jump; in a repeated hour the window opens the first time
// the wall clock shows the start and closes the last time it shows the end.

#include <bitset>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "webhook/common/result.h"

namespace date {
class time_zone;
}

namespace meshward::policies {

class MaintenanceWindow {
 public:
  using TimePoint = std::chrono::system_clock::time_point;

  // An error says what is wrong with `text` (an unknown day or zone, a time out of range).
  static Result<MaintenanceWindow> parse(std::string_view text);

  bool contains(TimePoint at) const;
  // The first opening after `at`.
  TimePoint nextOpening(TimePoint at) const;
  // "Thu 2026-12-10 09:00 CET" on the window's own wall clock.
  std::string describeLocal(TimePoint at) const;
  // As written.
  const std::string& text() const { return text_; }

 private:
  MaintenanceWindow() = default;

  struct Occurrence {
    TimePoint opens;
    TimePoint closes;
  };
  // The occurrence that opens on the local day `days_since_epoch`, when that is one of its days.
  std::optional<Occurrence> occurrenceOn(long days_since_epoch) const;
  long localDay(TimePoint at) const;

  std::string text_;
  std::bitset<7> weekdays_;  // 0 = Sunday, as std::chrono::weekday counts
  int start_minutes_ = 0;    // 0 .. 23:59
  int end_minutes_ = 0;      // 0 .. 24:00; not after the start: the next day
  const date::time_zone* zone_ = nullptr;
};

// "in 1d 13h 28m", "in 5m", for a wait from `now` to `then`.
std::string describeWait(MaintenanceWindow::TimePoint now, MaintenanceWindow::TimePoint then);

}  // namespace meshward::policies
