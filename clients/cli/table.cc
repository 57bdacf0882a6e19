#include "clients/cli/table.h"

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace timeledger::cli {
namespace {

constexpr std::string_view kColumnGap = "  ";

// Characters on screen: UTF-8 continuation bytes (10xxxxxx) do not start a character.
std::size_t DisplayWidth(const std::string& text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

void AppendPadded(std::string& line, const std::string& cell, std::size_t width, bool right) {
  const std::string padding(width - DisplayWidth(cell), ' ');
  if (right) {
    line += padding;
    line += cell;
  } else {
    line += cell;
    line += padding;
  }
}

std::string RenderRow(const std::vector<std::string>& cells, const std::vector<std::size_t>& widths,
                      const std::vector<bool>& right_aligned) {
  std::string line;
  for (std::size_t column = 0; column < widths.size(); ++column) {
    if (column > 0) line += kColumnGap;
    AppendPadded(line, cells[column], widths[column], right_aligned[column]);
  }
  line.erase(line.find_last_not_of(' ') + 1);
  line += '\n';
  return line;
}

}  // namespace

Table::Table(std::vector<std::string> headers)
    : headers_(std::move(headers)), right_aligned_(headers_.size(), false) {}

void Table::AlignRight(std::size_t column) {
  if (column < right_aligned_.size()) right_aligned_[column] = true;
}

void Table::AddRow(std::vector<std::string> cells) {
  cells.resize(headers_.size());
  rows_.push_back(std::move(cells));
}

std::string Table::Render() const {
  std::vector<std::size_t> widths;
  for (const std::string& header : headers_) widths.push_back(DisplayWidth(header));
  for (const auto& row : rows_) {
    for (std::size_t column = 0; column < row.size(); ++column) {
      widths[column] = std::max(widths[column], DisplayWidth(row[column]));
    }
  }
  std::vector<std::string> rule;
  for (std::size_t width : widths) rule.emplace_back(width, '-');

  std::string out = RenderRow(headers_, widths, right_aligned_);
  out += RenderRow(rule, widths, right_aligned_);
  for (const auto& row : rows_) out += RenderRow(row, widths, right_aligned_);
  return out;
}

std::string RenderFields(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::size_t width = 0;
  for (const auto& [label, value] : fields) width = std::max(width, DisplayWidth(label));
  std::string out;
  for (const auto& [label, value] : fields) {
    if (value.empty()) continue;
    out += "  ";
    out += label;
    out += ':';
    out += std::string(width - DisplayWidth(label) + 1, ' ');
    out += value;
    out += '\n';
  }
  return out;
}

}  // namespace timeledger::cli
