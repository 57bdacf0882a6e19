// The kiosk's one page (clients/kiosk/page.html), compiled in so that the kiosk needs no files
// at run time. "__NONCE__" marks where each response's CSP nonce goes.
#ifndef TIMELEDGER_CLIENTS_KIOSK_PAGE_HTML_H_
#define TIMELEDGER_CLIENTS_KIOSK_PAGE_HTML_H_

namespace timeledger::kiosk {

const char* PageHtml();

}  // namespace timeledger::kiosk

#endif  // TIMELEDGER_CLIENTS_KIOSK_PAGE_HTML_H_
