// The staff CLI's command line read with CLI11 from CommandSpec tables: a command with options
// before and after its words, `--`, and each mistake named in the sentence scripts match on,
// including the words CLI11 alone would misread ("--json=true", "--minutes= 5", "-hx", "++").
#include <string>
#include <vector>

#include "gtest/gtest.h"

#include "clients/cli/command_line.h"
#include "clients/cli/exit_code.h"

namespace timeledger::cli {
namespace {

// A small grammar shaped like the real one: a two-word command with required options, one with
// an optional positional, and a one-word command.
std::vector<CommandSpec> Commands() {
  return {
      {.group = "entry",
       .verb = "record",
       .summary = "record time given",
       .description = "Records that EARNER gave time to PAYER.",
       .positionals = {{"BANK", "the bank's id"}},
       .flags = {{"from", "PAYER", "who received the time", true},
                 {"to", "EARNER", "who gave the time", true},
                 {"minutes", "AMOUNT", "how long", true},
                 {"note", "TEXT", "a few words about it"},
                 {"dry-run", "", "check only, record nothing"}},
       .examples = "  timeledger entry record hcct --from bob --to alice --minutes 90\n"},
      {.group = "entry",
       .verb = "list",
       .summary = "list a bank's entries",
       .positionals = {{"BANK", "the bank's id"}, {"SINCE", "the first entry", true}}},
      {.group = "statement",
       .summary = "one account's statement",
       .positionals = {{"BANK", "the bank's id"}, {"ACCOUNT", "the account's id"}}},
  };
}

class CliCommandLineTest : public ::testing::Test {
 protected:
  Invocation Read(const std::vector<std::string>& words) {
    return ReadCommandLine(commands_, words);
  }

  // The first line of what a command line that is wrong prints on stderr, after checking that
  // it runs nothing, prints nothing on stdout and exits with kExitUsage.
  std::string MistakeOf(const std::vector<std::string>& words) {
    const Invocation invocation = Read(words);
    EXPECT_FALSE(invocation.args.has_value());
    EXPECT_EQ(invocation.exit_code, kExitUsage);
    EXPECT_EQ(invocation.out, "");
    return invocation.err.substr(0, invocation.err.find('\n'));
  }

  const std::vector<CommandSpec> commands_ = Commands();
};

TEST_F(CliCommandLineTest, ReadsAFullCommandWithOptionsBeforeAndAfterTheWords) {
  const Invocation invocation =
      Read({"--server", "host:1", "entry", "record", "--from", "bob", "hcct", "--minutes=90",
            "--to", "alice", "--json", "--note", "-5 minutes late", "--dry-run"});
  ASSERT_TRUE(invocation.args.has_value()) << invocation.err;
  const ParsedArgs& args = *invocation.args;
  EXPECT_EQ(args.spec().group, "entry");
  EXPECT_EQ(args.spec().verb, "record");
  EXPECT_EQ(args.Positional(0), "hcct");
  EXPECT_EQ(args.Positional(1), "");
  EXPECT_EQ(args.Value(kServerFlag), "host:1");
  EXPECT_EQ(args.Value("from"), "bob");
  EXPECT_EQ(args.Value("to"), "alice");
  EXPECT_EQ(args.Value("minutes"), "90");
  EXPECT_EQ(args.Value("note"), "-5 minutes late");
  EXPECT_TRUE(args.Has(kJsonFlag));
  EXPECT_TRUE(args.Has("dry-run"));
  EXPECT_FALSE(args.Has(kTokenFileFlag));
  EXPECT_EQ(args.Value(kTokenFileFlag, "fallback"), "fallback");
  EXPECT_EQ(invocation.out, "");
  EXPECT_EQ(invocation.err, "");
}

TEST_F(CliCommandLineTest, TakesTheNextWordAsAValueUnlessItBeginsWithTwoDashes) {
  const Invocation invocation = Read(
      {"entry", "record", "hcct", "--note", "-x", "--from", "b", "--to", "a", "--minutes", "5"});
  ASSERT_TRUE(invocation.args.has_value()) << invocation.err;
  EXPECT_EQ(invocation.args->Value("note"), "-x");
  EXPECT_EQ(MistakeOf({"entry", "record", "hcct", "--note", "--", "x"}),
            "error: --note needs a value: --note TEXT");
}

TEST_F(CliCommandLineTest, TakesEverythingAfterDoubleDashAsWords) {
  const Invocation invocation = Read({"entry", "list", "hcct", "--", "--json"});
  ASSERT_TRUE(invocation.args.has_value()) << invocation.err;
  EXPECT_EQ(invocation.args->Positional(0), "hcct");
  EXPECT_EQ(invocation.args->Positional(1), "--json");
  EXPECT_FALSE(invocation.args->Has(kJsonFlag));
}

TEST_F(CliCommandLineTest, LeavesAnOptionalPositionalEmpty) {
  const Invocation invocation = Read({"entry", "list", "hcct", "--json"});
  ASSERT_TRUE(invocation.args.has_value()) << invocation.err;
  EXPECT_EQ(invocation.args->Positional(1), "");
  EXPECT_TRUE(invocation.args->Has(kJsonFlag));
}

TEST_F(CliCommandLineTest, NamesAnOptionWithoutItsValue) {
  const std::string expected = "error: --minutes needs a value: --minutes AMOUNT";
  EXPECT_EQ(MistakeOf({"entry", "record", "hcct", "--from", "b", "--to", "a", "--minutes"}),
            expected);
  EXPECT_EQ(MistakeOf({"entry", "record", "hcct", "--minutes", "--to", "a", "--from", "b"}),
            expected);
  EXPECT_EQ(MistakeOf({"entry", "record", "hcct", "--minutes="}), expected);
  EXPECT_EQ(MistakeOf({"entry", "record", "--minutes", "5", "hcct", "--minutes"}),
            "error: --minutes was given more than once");
  EXPECT_EQ(MistakeOf({"entry", "record", "--bogus", "hcct", "--minutes"}),
            "error: unknown option '--bogus' for 'timeledger entry record'");
  const Invocation invocation = Read({"entry", "record", "hcct", "--minutes"});
  EXPECT_EQ(invocation.err,
            "error: --minutes needs a value: --minutes AMOUNT\n"
            "usage: timeledger entry record BANK --from PAYER --to EARNER --minutes AMOUNT "
            "[options]\n"
            "Run 'timeledger entry record --help' for more.\n");
}

TEST_F(CliCommandLineTest, NamesAnUnknownOption) {
  EXPECT_EQ(MistakeOf({"entry", "record", "hcct", "--bogus"}),
            "error: unknown option '--bogus' for 'timeledger entry record'");
  EXPECT_EQ(MistakeOf({"entry", "record", "hcct", "--bogus=3"}),
            "error: unknown option '--bogus' for 'timeledger entry record'");
  EXPECT_EQ(MistakeOf({"statement", "hcct", "alice", "-x"}),
            "error: unknown option '-x' (options start with two dashes, e.g. --name)");
  EXPECT_EQ(MistakeOf({"--minutes", "5", "entry", "record", "hcct"}),
            "error: unknown option '--minutes' before the command; only --server, "
            "--token-file, --json, the --tls options and --help may come first");
}

TEST_F(CliCommandLineTest, NamesAnUnknownCommand) {
  EXPECT_EQ(MistakeOf({"frobnicate"}),
            "error: 'frobnicate' is not a command; the commands are entry, statement");
  EXPECT_EQ(MistakeOf({"entry", "frob", "hcct"}),
            "error: 'frob' is not a entry command; the entry commands are record, list");
  EXPECT_EQ(MistakeOf({"entry"}), "error: 'entry' needs a command: record, list");
}

TEST_F(CliCommandLineTest, NamesAMissingRequiredOption) {
  EXPECT_EQ(MistakeOf({"entry", "record", "hcct", "--from", "bob", "--minutes", "5"}),
            "error: missing --to EARNER (who gave the time)");
}

TEST_F(CliCommandLineTest, NamesAMissingOrAnExtraPositional) {
  EXPECT_EQ(MistakeOf({"statement", "hcct"}), "error: missing ACCOUNT (the account's id)");
  EXPECT_EQ(MistakeOf({"statement", "hcct", "alice", "brown"}),
            "error: unexpected 'brown': 'timeledger statement' takes only BANK ACCOUNT; if "
            "'brown' belongs to the value before it, put that value in quotes, e.g. --name "
            "\"Alice Brown\"");
}

TEST_F(CliCommandLineTest, RefusesAnOptionGivenTwiceAndASwitchWithAValue) {
  EXPECT_EQ(MistakeOf({"--json", "statement", "hcct", "alice", "--json"}),
            "error: --json was given more than once");
  EXPECT_EQ(MistakeOf({"entry", "list", "hcct", "--server", "a:1", "--server=b:2"}),
            "error: --server was given more than once");
  EXPECT_EQ(MistakeOf({"statement", "hcct", "alice", "--json=yes"}),
            "error: --json takes no value");
}

TEST_F(CliCommandLineTest, RefusesAnEqualsSignWithNothingAfterItOrAfterASwitch) {
  EXPECT_EQ(MistakeOf({"entry", "record", "hcct", "--from", "b", "--to", "a", "--minutes=", "5"}),
            "error: --minutes needs a value: --minutes AMOUNT");
  EXPECT_EQ(MistakeOf({"entry", "list", "hcct", "--server=", "a:1"}),
            "error: --server needs a value: --server HOST:PORT");
  EXPECT_EQ(MistakeOf({"statement", "hcct", "alice", "--json=true"}),
            "error: --json takes no value");
  EXPECT_EQ(MistakeOf({"--json=true", "statement", "hcct", "alice"}),
            "error: --json takes no value");
  EXPECT_EQ(MistakeOf({"statement", "hcct", "alice", "--json="}), "error: --json takes no value");
  EXPECT_EQ(MistakeOf({"entry", "record", "hcct", "--from", "b", "--to", "a", "--minutes", "5",
                       "--dry-run=true"}),
            "error: --dry-run takes no value");
}

TEST_F(CliCommandLineTest, TakesMinusHAloneForHelpAndNamesAnyOtherShortOption) {
  EXPECT_EQ(MistakeOf({"-hx"}),
            "error: unknown option '-hx' before the command; only --server, --token-file, "
            "--json, the --tls options and --help may come first");
  EXPECT_EQ(MistakeOf({"entry", "-hx"}),
            "error: unknown option '-hx' (options start with two dashes, e.g. --name)");
  EXPECT_EQ(MistakeOf({"entry", "record", "hcct", "-hx"}),
            "error: unknown option '-hx' (options start with two dashes, e.g. --name)");
  EXPECT_EQ(MistakeOf({"entry", "-x", "record"}),
            "error: unknown option '-x' (options start with two dashes, e.g. --name)");
  EXPECT_EQ(MistakeOf({"entry", "--bogus", "record"}),
            "error: unknown option '--bogus' for 'timeledger entry'");
  EXPECT_EQ(Read({"-h"}).out, OverviewHelp(commands_));
  EXPECT_EQ(Read({"entry", "-h"}).out, GroupHelp("entry", commands_));
  EXPECT_EQ(Read({"statement", "hcct", "-h"}).out, CommandHelp(commands_[2]));
}

TEST_F(CliCommandLineTest, ReadsPlusPlusAsAnyOtherWord) {
  EXPECT_EQ(MistakeOf({"++"}), "error: '++' is not a command; the commands are entry, statement");
  EXPECT_EQ(MistakeOf({"entry", "++", "record"}),
            "error: '++' is not a entry command; the entry commands are record, list");
  EXPECT_EQ(MistakeOf({"statement", "hcct", "alice", "++"}),
            "error: unexpected '++': 'timeledger statement' takes only BANK ACCOUNT; if '++' "
            "belongs to the value before it, put that value in quotes, e.g. --name \"Alice "
            "Brown\"");
  const Invocation invocation = Read(
      {"entry", "record", "hcct", "--note", "++", "--from", "b", "--to", "a", "--minutes", "5"});
  ASSERT_TRUE(invocation.args.has_value()) << invocation.err;
  EXPECT_EQ(invocation.args->Value("note"), "++");
  const Invocation listed = Read({"entry", "list", "hcct", "++"});
  ASSERT_TRUE(listed.args.has_value()) << listed.err;
  EXPECT_EQ(listed.args->Positional(1), "++");
}

TEST_F(CliCommandLineTest, NamesADoubleDashBeforeTheCommandWords) {
  EXPECT_EQ(MistakeOf({"entry", "--", "record"}),
            "error: '--' must come after the command's words; the entry commands are record, "
            "list");
  EXPECT_EQ(MistakeOf({"--", "entry", "record"}),
            "error: '--' must come after the command's words; the commands are entry, statement");
  EXPECT_EQ(MistakeOf({"--json", "--", "statement"}),
            "error: '--' must come after the command's words; the commands are entry, statement");
}

TEST_F(CliCommandLineTest, PrintsACommandsHelpWithItsOptions) {
  const Invocation invocation = Read({"entry", "record", "hcct", "--bogus", "--help"});
  EXPECT_FALSE(invocation.args.has_value());
  EXPECT_EQ(invocation.exit_code, kExitOk);
  EXPECT_EQ(invocation.err, "");
  EXPECT_EQ(invocation.out, CommandHelp(commands_[0]));
  EXPECT_EQ(invocation.out.rfind(
                "Usage: timeledger entry record BANK --from PAYER --to EARNER --minutes AMOUNT "
                "[options]\n",
                0),
            0u);
  for (const char* line : {"  --minutes AMOUNT", "how long (required)", "  --note TEXT",
                           "  --dry-run", "  --server HOST:PORT", "  BANK", "Examples:"}) {
    EXPECT_NE(invocation.out.find(line), std::string::npos) << line;
  }
  EXPECT_EQ(Read({"entry", "record", "-h"}).out, invocation.out);
  EXPECT_EQ(Read({"entry", "record", "hcct", "--minutes", "--help"}).out, invocation.out);
  EXPECT_EQ(Read({"help", "entry", "record"}).out, invocation.out);
}

TEST_F(CliCommandLineTest, PrintsTheOverviewAndAGroupsHelp) {
  EXPECT_EQ(Read({"--help"}).out, OverviewHelp(commands_));
  EXPECT_EQ(Read({"help"}).out, OverviewHelp(commands_));
  EXPECT_EQ(Read({"entry", "--help"}).out, GroupHelp("entry", commands_));
  EXPECT_EQ(Read({"help", "entry"}).out, GroupHelp("entry", commands_));
  const Invocation nothing = Read({});
  EXPECT_EQ(nothing.exit_code, kExitUsage);
  EXPECT_EQ(nothing.err, OverviewHelp(commands_));
}

}  // namespace
}  // namespace timeledger::cli
