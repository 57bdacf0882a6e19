#include "clients/kiosk/kiosk_messages.h"

#include <string>

namespace timeledger::kiosk {

absl::StatusOr<std::unique_ptr<clients::Messages>> LoadKioskMessages() {
  std::vector<clients::Catalogue> catalogues;
  for (const auto& [language, text] : CompiledCatalogues()) {
    auto catalogue = clients::Catalogue::Parse(language, text);
    if (!catalogue.ok()) return catalogue.status();
    catalogues.push_back(*std::move(catalogue));
  }
  if (!catalogues.empty()) catalogues.push_back(clients::PseudoLocalize(catalogues.front()));
  return clients::Messages::Make(std::move(catalogues));
}

}  // namespace timeledger::kiosk
