// What the kiosk page reads, as JSON: a member's summary with every figure also in words of the
// member's language, and the page's own words in a language. The page holds no words of its own:
// it shows these (docs/KIOSK.md, "Languages"). Pure functions; thread-safe.
#ifndef TIMELEDGER_CLIENTS_KIOSK_SUMMARY_JSON_H_
#define TIMELEDGER_CLIENTS_KIOSK_SUMMARY_JSON_H_

#include <string>

#include "google/protobuf/struct.pb.h"

#include "clients/common/messages.h"
#include "clients/kiosk/member_words.h"
#include "timeledger/v1/kiosk.pb.h"

namespace timeledger::kiosk {

// Counted messages the page shows while a number changes (the seconds before sign-out) are sent
// formatted for each number from 0 to this.
inline constexpr int64_t kCountedWordsMax = 60;

// The member's summary as the page shows it, in `words`' language.
google::protobuf::Struct SummaryJson(const v1::MemberSummary& summary, const MemberWords& words);

// The page's words in `language` (English if it has no catalogue): {"lang", "dir" ("ltr" or
// "rtl"), "words": every message without arguments, by key, "counts": the counted messages for
// 0..kCountedWordsMax, "languages": [{"tag", "name"}] in the order the first screen offers them}.
google::protobuf::Struct WordsJson(const clients::Messages& messages, const std::string& language);

// The language a request asked for, if the kiosk speaks it; else English.
std::string SpokenLanguage(const clients::Messages& messages, const std::string& asked);

}  // namespace timeledger::kiosk

#endif  // TIMELEDGER_CLIENTS_KIOSK_SUMMARY_JSON_H_
