// A plain-text table for the terminal: a header, a rule, and rows of cells, each column as
// wide as its widest cell. Widths count characters, not bytes, so names such as "Zoë" line up.
//
// A Table owns copies of its cells. Not thread-safe; build and render it on one thread.
#ifndef TIMELEDGER_CLIENTS_CLI_TABLE_H_
#define TIMELEDGER_CLIENTS_CLI_TABLE_H_

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace timeledger::cli {

class Table {
 public:
  explicit Table(std::vector<std::string> headers);

  // Pads the column's cells on the left, for amounts and numbers.
  void AlignRight(std::size_t column);

  // Adds a row; missing cells are blank and cells past the last column are dropped.
  void AddRow(std::vector<std::string> cells);

  std::size_t row_count() const { return rows_.size(); }

  // The whole table, one line per row, each line ending in "\n", no trailing spaces.
  std::string Render() const;

 private:
  std::vector<std::string> headers_;
  std::vector<bool> right_aligned_;
  std::vector<std::vector<std::string>> rows_;
};

// Labelled lines under a heading, the labels padded so that the values line up:
//   "  Balance: 1 hour 30 minutes\n". Rows with an empty value are left out.
std::string RenderFields(const std::vector<std::pair<std::string, std::string>>& fields);

}  // namespace timeledger::cli

#endif  // TIMELEDGER_CLIENTS_CLI_TABLE_H_
