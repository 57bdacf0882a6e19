// KioskApi: what the kiosk page asks of the kiosk server, answered over gRPC from timeledgerd.
//
//   GET  /?lang=TAG            the page (clients/kiosk/page.html, a fresh CSP nonce each time),
//                              with its words in the language TAG (English by default)
//   GET  /api/words?lang=TAG   the page's words in another language (summary_json.h WordsJson)
//   GET  /api/status           {"ledger": "ok" | "unreachable", "bank": its name once known}
//   POST /api/sign-in          {"card": "...", "pin": "..."} -> {"session": ..., "name": ...}
//   GET  /api/me               the signed-in member's summary, in plain words
//   POST /api/pending/confirm  {"entry_id": "..."}   (and /api/pending/reject)
//   POST /api/sign-out
//
// The member's session id travels only in the X-Kiosk-Session header, held in the page's memory:
// no cookie, no storage. The page's language travels in X-Kiosk-Language: every word of an answer
// is in it (from the catalogues, clients/kiosk/kiosk_messages.h), except that a member's summary
// is in the member's own language when a coordinator has set one, and says which in "lang". Errors
// are JSON {"error": REASON, "message": plain words} with a fitting HTTP status; a body that is not
// a JSON object of strings gets 400. Every call to the ledger has a deadline; a ledger that cannot
// be reached is 503 LEDGER_UNREACHABLE.
//
// Holds a gRPC channel (which reconnects by itself). Thread-safe.
#ifndef TIMELEDGER_CLIENTS_KIOSK_KIOSK_API_H_
#define TIMELEDGER_CLIENTS_KIOSK_KIOSK_API_H_

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include <grpcpp/grpcpp.h>

#include "clients/common/messages.h"
#include "clients/kiosk/http_server.h"
#include "clients/kiosk/member_words.h"
#include "timeledger/v1/kiosk.grpc.pb.h"

namespace timeledger::kiosk {

struct KioskOptions {
  std::string bank_id;
  // The file holding this kiosk's token (a kiosk principal of bank_id), read at each call so
  // that a new token is taken up without a restart.
  std::string token_file;
  // With "__NONCE__" where the CSP nonce goes, and "__LANG__", "__DIR__", "__TITLE__" and
  // "__WORDS__" where the language, its direction, the title and the page's words go.
  std::string page_html;
  std::shared_ptr<const clients::Messages> messages;  // the kiosk's words; required
};

class KioskApi {
 public:
  KioskApi(std::shared_ptr<grpc::Channel> channel, KioskOptions options);

  Response Handle(const Request& request);

 private:
  Response Page(const Request& request) const;
  Response Words(const Request& request) const;
  Response Status(const Request& request);
  Response SignIn(const Request& request);
  Response Me(const Request& request);
  Response Resolve(const Request& request, bool confirm);
  Response SignOut(const Request& request);

  // The bank's name, asked of the ledger once and remembered; "" until it answers.
  std::string BankName() ABSL_LOCKS_EXCLUDED(bank_name_mu_);
  // The bank's name if the ledger has told it, without asking; "" otherwise.
  std::string KnownBankName() ABSL_LOCKS_EXCLUDED(bank_name_mu_);
  // The words of the language the request asks for (English if the kiosk does not speak it).
  MemberWords WordsFor(const Request& request) const;
  // A client context with a deadline and this kiosk's principal.
  std::unique_ptr<grpc::ClientContext> NewContext(std::chrono::seconds deadline) const;

  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::Kiosk::Stub> stub_;
  KioskOptions options_;
  absl::Mutex bank_name_mu_;
  std::string bank_name_ ABSL_GUARDED_BY(bank_name_mu_);
};

}  // namespace timeledger::kiosk

#endif  // TIMELEDGER_CLIENTS_KIOSK_KIOSK_API_H_
