#include "policies/change_governance/maintenance_window.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "webhook/common/rfc3339.h"

namespace meshward::policies {
namespace {

MaintenanceWindow::TimePoint at(const std::string& rfc3339) {
  const auto time = parseRfc3339(rfc3339);
  EXPECT_TRUE(time.has_value()) << rfc3339;
  return time.value_or(MaintenanceWindow::TimePoint{});
}

MaintenanceWindow window(const std::string& text) {
  Result<MaintenanceWindow> parsed = MaintenanceWindow::parse(text);
  EXPECT_TRUE(parsed.ok()) << text << ": " << parsed.error();
  return *parsed;
}

struct Instant {
  std::string time;
  bool inside;
};

void expectInstants(const std::string& text, const std::vector<Instant>& instants) {
  const MaintenanceWindow parsed = window(text);
  for (const Instant& instant : instants) {
    EXPECT_EQ(parsed.contains(at(instant.time)), instant.inside) << text << " at " << instant.time;
  }
}

TEST(MaintenanceWindow, OpensOnItsDaysFromTheStartUntilTheEndOnTheZonesWallClock) {
  expectInstants("Mon-Fri 09:00-17:00 Europe/Berlin",
                 {{"2026-12-09T07:59:59Z", false},  // Wed 08:59:59 CET
                  {"2026-12-09T08:00:00Z", true},   // 09:00 CET
                  {"2026-12-09T15:59:59Z", true},
                  {"2026-12-09T16:00:00Z", false},  // 17:00 CET: the end is not inside
                  {"2026-12-12T10:00:00Z", false},  // Saturday
                  {"2026-07-08T07:00:00Z", true},   // 09:00 CEST in summer
                  {"2026-07-08T06:59:00Z", false}});
  expectInstants("Mon-Fri 09:00-17:00 America/New_York",
                 {{"2026-03-02T13:30:00Z", false},  // 08:30 EST
                  {"2026-03-02T14:00:00Z", true},   // 09:00 EST
                  {"2026-03-09T13:00:00Z", true},   // 09:00 EDT, the day after clocks went forward
                  {"2026-03-09T12:59:00Z", false}});
}

TEST(MaintenanceWindow, AnEndNotAfterTheStartClosesTheNextDay) {
  expectInstants("Sat 22:00-02:00 UTC",
                 {{"2026-12-11T23:00:00Z", false},  // Friday night
                  {"2026-12-12T21:59:59Z", false},
                  {"2026-12-12T22:00:00Z", true},   // Saturday 22:00
                  {"2026-12-12T23:59:59Z", true},
                  {"2026-12-13T00:00:00Z", true},   // past midnight, into Sunday
                  {"2026-12-13T01:59:59Z", true},
                  {"2026-12-13T02:00:00Z", false},
                  {"2026-12-13T22:30:00Z", false}});  // Sunday is not a day it opens
  expectInstants("Sun 00:00-24:00 UTC", {{"2026-12-13T00:00:00Z", true},
                                         {"2026-12-13T23:59:59Z", true},
                                         {"2026-12-14T00:00:00Z", false},
                                         {"2026-12-12T23:59:59Z", false}});
}

TEST(MaintenanceWindow, DaysAreListsAndRangesThatMayWrapOverTheWeekend) {
  expectInstants("Fri-Mon 10:00-11:00 UTC",
                 {{"2026-12-10T10:30:00Z", false},  // Thu
                  {"2026-12-11T10:30:00Z", true},   // Fri
                  {"2026-12-13T10:30:00Z", true},   // Sun
                  {"2026-12-14T10:30:00Z", true},   // Mon
                  {"2026-12-15T10:30:00Z", false}});
  expectInstants("tue,THU 10:00-11:00 UTC",
                 {{"2026-12-08T10:30:00Z", true}, {"2026-12-09T10:30:00Z", false}, {"2026-12-10T10:30:00Z", true}});
}

TEST(MaintenanceWindow, AnOpeningInTheSkippedHourOpensWhenTheClocksJump) {
  // Europe/Berlin, 2026-03-29: 02:00 CET jumps to 03:00 CEST (01:00 UTC); 02:30 never shows.
  expectInstants("Sun 02:30-03:30 Europe/Berlin",
                 {{"2026-03-29T00:59:59Z", false},
                  {"2026-03-29T01:00:00Z", true},  // 03:00 CEST
                  {"2026-03-29T01:29:59Z", true},
                  {"2026-03-29T01:30:00Z", false}});  // 03:30 CEST
  EXPECT_EQ(window("Sun 02:30-03:30 Europe/Berlin").nextOpening(at("2026-03-28T12:00:00Z")), at("2026-03-29T01:00:00Z"));
}

TEST(MaintenanceWindow, ARepeatedHourIsInsideFromTheFirstStartToTheLastEnd) {
  // Europe/Berlin, 2026-10-25: 03:00 CEST falls back to 02:00 CET (01:00 UTC); 02:00-02:59 shows twice.
  expectInstants("Sun 02:00-02:30 Europe/Berlin",
                 {{"2026-10-24T23:59:59Z", false},  // 01:59:59 CEST
                  {"2026-10-25T00:00:00Z", true},   // the first 02:00 (CEST)
                  {"2026-10-25T00:45:00Z", true},
                  {"2026-10-25T01:29:59Z", true},   // the second 02:29:59 (CET)
                  {"2026-10-25T01:30:00Z", false}});
  // A window across midnight keeps its length in wall-clock terms across the change.
  expectInstants("Sat 23:00-04:00 Europe/Berlin",
                 {{"2026-10-24T20:59:59Z", false},  // 22:59:59 CEST
                  {"2026-10-24T21:00:00Z", true},   // 23:00 CEST
                  {"2026-10-25T02:59:59Z", true},   // 03:59:59 CET
                  {"2026-10-25T03:00:00Z", false}});
}

TEST(MaintenanceWindow, TheNextOpeningAndHowItIsSaid) {
  const MaintenanceWindow weekdays = window("Mon-Fri 09:00-17:00 Europe/Berlin");
  const auto friday_evening = at("2026-12-11T16:00:00Z");
  const auto monday = weekdays.nextOpening(friday_evening);
  EXPECT_EQ(monday, at("2026-12-14T08:00:00Z"));
  EXPECT_EQ(weekdays.describeLocal(monday), "Mon 2026-12-14 09:00 CET");
  EXPECT_EQ(describeWait(friday_evening, monday), "in 2d 16h");
  EXPECT_EQ(describeWait(at("2026-12-14T07:58:30Z"), monday), "in 2m");
  EXPECT_EQ(describeWait(at("2026-12-13T06:32:00Z"), monday), "in 1d 1h 28m");
  EXPECT_EQ(weekdays.nextOpening(at("2026-12-09T08:00:00Z")), at("2026-12-10T08:00:00Z"))
      << "inside a window, the next opening is the following one";
  EXPECT_EQ(window("Sat 22:00-02:00 UTC").nextOpening(at("2026-12-13T02:00:00Z")), at("2026-12-19T22:00:00Z"));
}

TEST(MaintenanceWindow, RefusesWhatIsNotAWindowSayingWhy) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"Mon-Fry 09:00-17:00 UTC", "unknown day 'Fry'"},
      {"Mon 9:00-17:00 UTC", "'9:00-17:00' is not a time range such as 09:00-17:00"},
      {"Mon 09:00-09:00 UTC", "is empty: for a whole day write 00:00-24:00"},
      {"Mon 00:00-24:00 UTC", ""},
      {"Mon 24:00-02:00 UTC", "is not a time range"},
      {"Mon 09:60-10:00 UTC", "is not a time range"},
      {"Mon 09:00-17:00 Mars/Olympus", "unknown time zone 'Mars/Olympus'"},
      {"Mon 09:00-17:00", "is not a maintenance window (write DAYS HH:MM-HH:MM ZONE"},
      {"Mon-Tue-Wed 09:00-17:00 UTC", "'Mon-Tue-Wed' is not a day or a range of days"},
      {"", "is not a maintenance window"},
  };
  for (const auto& [text, problem] : cases) {
    const Result<MaintenanceWindow> parsed = MaintenanceWindow::parse(text);
    if (problem.empty()) {
      EXPECT_TRUE(parsed.ok()) << text << ": " << parsed.error();
      continue;
    }
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_NE(parsed.error().find(problem), std::string::npos) << text << ": " << parsed.error();
  }
}

}  // namespace
}  // namespace meshward::policies
