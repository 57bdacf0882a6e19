// The kiosk's words: one catalogue per language (clients/kiosk/messages/<language>.txt, in ICU
// MessageFormat; clients/common/messages.h), compiled in as the page is, and the pseudo-locale
// made from English at start. Compiled in rather than installed as files so that the kiosk
// cannot start without its words or with a catalogue no test has read: a volunteer's correction
// goes through the catalogue checks (tests/clients/message_catalogues_test.cc) and reaches every
// centre with the next package (docs/KIOSK.md, "Languages").
//
// Thread-safe: the catalogues are constant, and Messages is.
#ifndef TIMELEDGER_CLIENTS_KIOSK_KIOSK_MESSAGES_H_
#define TIMELEDGER_CLIENTS_KIOSK_KIOSK_MESSAGES_H_

#include <memory>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

#include "clients/common/messages.h"

namespace timeledger::kiosk {

// The catalogues compiled in, as (language tag, file text), in the order the first screen offers
// them; English first.
const std::vector<std::pair<const char*, const char*>>& CompiledCatalogues();

// The kiosk's messages: every compiled catalogue, then the pseudo-locale (clients::kPseudoLanguage)
// made from English. InvalidArgument naming the catalogue and line that does not parse.
absl::StatusOr<std::unique_ptr<clients::Messages>> LoadKioskMessages();

}  // namespace timeledger::kiosk

#endif  // TIMELEDGER_CLIENTS_KIOSK_KIOSK_MESSAGES_H_
