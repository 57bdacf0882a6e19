#include "ledger/core/errors.h"

#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace timeledger::ledger {
namespace {

constexpr absl::string_view kReasonUrl = "timeledger/reason";
constexpr absl::string_view kFigureUrlPrefix = "timeledger/figure/";

}  // namespace

absl::Status Refusal(absl::StatusCode code, Reason reason, absl::string_view message,
                     Figures figures) {
  absl::Status status(code, message);
  status.SetPayload(kReasonUrl, absl::Cord(ReasonName(reason)));
  for (const auto& [name, value] : figures) {
    status.SetPayload(absl::StrCat(kFigureUrlPrefix, name), absl::Cord(value));
  }
  return status;
}

absl::Status Refuse(Reason reason, absl::string_view message, Figures figures) {
  return Refusal(ReasonCode(reason), reason, message, figures);
}

absl::Status BankNotFound(absl::string_view bank_id) {
  return Refuse(Reason::kBankNotFound, absl::StrCat("there is no bank ", bank_id),
                {{"bank_id", std::string(bank_id)}});
}

std::string ReasonOf(const absl::Status& status) {
  auto payload = status.GetPayload(kReasonUrl);
  return payload ? std::string(*payload) : std::string();
}

bool HasReason(const absl::Status& status, Reason reason) {
  auto payload = status.GetPayload(kReasonUrl);
  return payload && *payload == ReasonName(reason);
}

std::map<std::string, std::string> FiguresOf(const absl::Status& status) {
  std::map<std::string, std::string> figures;
  status.ForEachPayload([&](absl::string_view url, const absl::Cord& value) {
    if (absl::StartsWith(url, kFigureUrlPrefix)) {
      figures[std::string(url.substr(kFigureUrlPrefix.size()))] = std::string(value);
    }
  });
  return figures;
}

absl::Status WithFigure(absl::Status status, absl::string_view name, std::string value) {
  status.SetPayload(absl::StrCat(kFigureUrlPrefix, name), absl::Cord(value));
  return status;
}

std::string Truncated(absl::string_view text, size_t bytes_max) {
  if (text.size() <= bytes_max) return std::string(text);
  constexpr absl::string_view kEllipsis = "...";
  size_t end = bytes_max > kEllipsis.size() ? bytes_max - kEllipsis.size() : 0;
  // Back off continuation bytes (10xxxxxx) so that no character is cut in half.
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  std::string out = absl::StrCat(text.substr(0, end), kEllipsis);
  return out.size() <= bytes_max ? out : out.substr(0, bytes_max);
}

std::string EchoOf(absl::string_view input) { return Truncated(input, kEchoBytesMax); }

}  // namespace timeledger::ledger
