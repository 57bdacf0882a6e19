// The words of a member's statement in the member's language: the catalogues of
// clients/cli/messages/<language>.txt (ICU MessageFormat; clients/common/messages.h), compiled in
// as the kiosk's are, and the catalogue's titles of what each entry was for.
//
// Statements have catalogues of their own rather than sharing the kiosk's: a printed statement
// says other things (columns, totals, an entry's kind) than the kiosk's screen, the staff CLI
// does not link the kiosk, and the kiosk's page is sent only its own words. Both sets hold the
// same languages (ledger/rules/kiosk.h kKioskLanguages), which message_catalogues_test checks,
// so the language a coordinator sets for a member speaks to them on both.
//
// Thread-safe: the catalogues are constant; StatementWords and CatalogueTitles are immutable.
#ifndef TIMELEDGER_CLIENTS_CLI_STATEMENT_WORDS_H_
#define TIMELEDGER_CLIENTS_CLI_STATEMENT_WORDS_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

#include "clients/common/messages.h"
#include "timeledger/v1/catalogue.pb.h"
#include "timeledger/v1/types.pb.h"

namespace timeledger::cli {

// The statement catalogues compiled in, as (language tag, file text); English first.
const std::vector<std::pair<const char*, const char*>>& CompiledStatementCatalogues();

// Every compiled statement catalogue. InvalidArgument naming the catalogue and line that does
// not parse.
absl::StatusOr<std::unique_ptr<clients::Messages>> LoadStatementMessages();

// The catalogues loaded once for the process. A compiled catalogue that does not parse is a
// build that no test passed: the program stops, naming it.
const clients::Messages& StatementMessages();

// The bank catalogue's titles ("Food hygiene course") of the codes entries record
// ("hygiene-course"), by catalogue kind.
class CatalogueTitles {
 public:
  void Add(const timeledger::v1::CatalogueItem& item, timeledger::v1::CatalogueKind kind);

  // The title of what `entry` was for: the offer's for a spend, the qualification's for a
  // reward, the activity's for time given; for a reversal, whichever the code names. "" when
  // the catalogue has none.
  std::string TitleOf(const timeledger::v1::Entry& entry) const;

 private:
  std::string Find(timeledger::v1::CatalogueKind kind, const std::string& code) const;
  std::map<std::pair<int, std::string>, std::string> titles_;
};

// One statement's words: its language's catalogue, and the bank's titles.
class StatementWords {
 public:
  // `language` as a coordinator set it; a language without a catalogue reads English.
  StatementWords(std::string language, CatalogueTitles titles = {});

  const std::string& language() const { return language_; }

  // A message of the catalogue.
  std::string Say(absl::string_view key, const clients::MessageArgs& args = {}) const;

  // "1 hour 30 minutes", "-2 hours", "45 minutes"; zero as "0 minutes", or with
  // `zero_in_hours` as "0 hours". Signed: "+" before amounts above zero too.
  std::string Time(int64_t minutes, bool zero_in_hours = false) const;
  std::string SignedTime(int64_t minutes, bool zero_in_hours = false) const;

  // "7 Dec 2026": a timestamp's day in `zone`, in the language's month names and digits.
  std::string Day(const google::protobuf::Timestamp& timestamp, absl::TimeZone zone) const;
  // The same for a civil day.
  std::string Day(absl::CivilDay day) const;

  // The kind of an entry for a table cell: "exchange", "reversal of 12", and with
  // `mark_reversed` "exchange (reversed)" for an entry a later one undid.
  std::string KindCell(const timeledger::v1::Entry& entry, bool mark_reversed = true) const;

  // What the entry was for: the catalogue's title, or the code as recorded when it has none.
  std::string Activity(const timeledger::v1::Entry& entry) const;
  // Only the catalogue's title; "" when it has none.
  std::string ActivityTitle(const timeledger::v1::Entry& entry) const;

 private:
  std::string language_;
  CatalogueTitles titles_;
};

}  // namespace timeledger::cli

#endif  // TIMELEDGER_CLIENTS_CLI_STATEMENT_WORDS_H_
