// Reads the command line with CLI11 (Debian's libcli11-dev): one CLI::App per group and per
// command, built from the CommandSpec tables, and then turns what CLI11 parsed (or left over)
// into a ParsedArgs or into one sentence that names the mistake.
//
// CLI11 is set up so that it throws only for an option left without its value at the end of the
// line: every app allows extras (left-over words are named here, in the words scripts expect),
// options are TakeAll (a repeated one is refused here), and --help is a counted flag rather than
// CLI11's own. CLI11 reads a few words in ways this CLI does not want, so it is not shown them
// as they are (LineWords): "--" and what follows it, "-h" as a short option ("-hx" would be
// "-h -x"), and "++" (the end of a subcommand, to CLI11); and what it does not keep, whether an
// option was written "--name=VALUE", is noted before it parses.
#include "clients/cli/command_line.h"

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include <CLI/CLI.hpp>

#include "clients/cli/exit_code.h"

namespace timeledger::cli {
namespace {

constexpr char kProgram[] = "timeledger";
constexpr char kHelpCommand[] = "help";
constexpr char kHelpNames[] = "--help";  // and "-h", as a word of its own (HelpAsked)
constexpr char kShortHelp[] = "-h";
// "--" ends the options: the words after it are positional words, whatever they look like.
constexpr char kMark[] = "--";
// What CLI11 is shown for a word "++": a word no command line can hold (it has a NUL), so that
// CLI11 reads it as any other word; messages name it "++" again.
constexpr char kPlusPlus[] = "++";
const std::string& HiddenPlusPlus() {
  static const std::string* const kHidden = new std::string("\0++", 3);
  return *kHidden;
}

// A hidden last positional of every command that collects the words after its own, so that an
// extra word is named as such rather than handed back to the group or to the program.
constexpr char kExtraWords[] = "EXTRA_WORDS";
// So large that the collector is never full (a full one hands the next word back to the group).
constexpr int kExtraWordsMax = 1 << 20;

// A command line split where CLI11 would misread it (see the top of this file).
struct LineWords {
  std::vector<std::string> parsed;      // the words before the first "--", "++" hidden, for CLI11
  bool has_mark = false;                // whether there was a "--"
  std::vector<std::string> after_mark;  // the words after it: positional words of the command
  // The options written "--name=VALUE", and those written "--name=" with nothing after it, by
  // name: CLI11 reads "--json=true" as "--json" and "--minutes= 5" as "--minutes 5".
  std::set<std::string, std::less<>> with_equals;
  std::set<std::string, std::less<>> with_empty_equals;
};

LineWords SplitLine(absl::Span<const std::string> words) {
  LineWords line;
  for (std::size_t i = 0; i < words.size(); ++i) {
    const std::string& word = words[i];
    if (word == kMark) {
      line.has_mark = true;
      line.after_mark.assign(words.begin() + i + 1, words.end());
      break;
    }
    line.parsed.push_back(word == kPlusPlus ? HiddenPlusPlus() : word);
    if (const std::size_t equals = word.find('=');
        absl::StartsWith(word, "--") && equals != std::string::npos) {
      const std::string name = word.substr(2, equals - 2);
      line.with_equals.insert(name);
      if (equals + 1 == word.size()) line.with_empty_equals.insert(name);
    }
  }
  return line;
}

// The word as the user wrote it: "++" where CLI11 was shown HiddenPlusPlus().
std::string Unhidden(const std::string& word) {
  return word == HiddenPlusPlus() ? kPlusPlus : word;
}

// The CLI11 apps built from the CommandSpec tables, and which spec each command's app stands for.
struct AppTree {
  std::unique_ptr<CLI::App> root;
  CLI::App* help = nullptr;  // `timeledger help [GROUP [VERB]]`
  std::map<const CLI::App*, const CommandSpec*> commands;
};

// A switch counts its uses. An option takes one value, from "=value" or from the next word
// whatever it is (so "--note -x" is a note); ArgsBuilder refuses a value that begins with "--",
// which is an option the user meant, not a value ("--minutes --to X").
void AddFlag(CLI::App& app, const FlagSpec& flag) {
  const std::string names = flag.name == kHelpFlag ? kHelpNames : absl::StrCat("--", flag.name);
  const std::string help(flag.help);
  if (flag.value_name.empty()) {
    app.add_flag(names, help);
  } else {
    app.add_option(names, help)->type_name(std::string(flag.value_name));
  }
}

CLI::App* AddCommand(CLI::App& parent, const CommandSpec& spec) {
  const absl::string_view name = spec.verb.empty() ? spec.group : spec.verb;
  CLI::App* app = parent.add_subcommand(std::string(name), std::string(spec.summary));
  app->allow_extras();
  for (const PositionalSpec& positional : spec.positionals) {
    const std::string help(positional.help);
    app->add_option(std::string(positional.name), help);
  }
  app->add_option(kExtraWords)->expected(kExtraWordsMax, kExtraWordsMax);
  for (const FlagSpec& flag : spec.flags) AddFlag(*app, flag);
  for (const FlagSpec& flag : GlobalFlags()) AddFlag(*app, flag);
  return app;
}

CLI::App* AddGroup(CLI::App& root, absl::string_view group) {
  CLI::App* app = root.add_subcommand(std::string(group));
  app->allow_extras();
  app->require_subcommand(0, 1);
  const std::string help = "show this group's commands";
  app->add_flag(kHelpNames, help);
  return app;
}

AppTree BuildApps(absl::Span<const CommandSpec> commands) {
  AppTree tree;
  tree.root = std::make_unique<CLI::App>("the staff tool for a Timeledger time bank", kProgram);
  CLI::App& root = *tree.root;
  root.set_help_flag();  // --help is one of GlobalFlags(): counted, then answered here
  root.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  root.allow_extras();
  // One command per line; it also stops CLI11 from taking a later word for a second command.
  root.require_subcommand(0, 1);
  for (const FlagSpec& flag : GlobalFlags()) AddFlag(root, flag);
  tree.help = root.add_subcommand(kHelpCommand, "show the help of a command");
  tree.help->prefix_command();
  std::map<absl::string_view, CLI::App*> groups;
  for (const CommandSpec& spec : commands) {
    if (spec.verb.empty()) {
      tree.commands[AddCommand(root, spec)] = &spec;
      continue;
    }
    CLI::App*& group = groups[spec.group];
    if (group == nullptr) group = AddGroup(root, spec.group);
    tree.commands[AddCommand(*group, spec)] = &spec;
  }
  return tree;
}

// True if --help was given to `app`, or -h (which CLI11 leaves over as a word it does not know).
bool HelpAsked(const CLI::App& app) {
  const CLI::Option* help = app.get_option_no_throw("--help");
  if (help != nullptr && help->count() > 0) return true;
  const std::vector<std::string> words = app.remaining();
  return std::find(words.begin(), words.end(), kShortHelp) != words.end();
}

// True if --help or -h was taken as an option's value ("--minutes --help"): it still asks for
// help, as a --help anywhere before "--" always has.
bool HelpTakenAsValue(const CLI::App& app) {
  for (const CLI::Option* option : app.get_options()) {
    if (option->get_positional()) continue;
    for (const std::string& value : option->results()) {
      if (value == "--help" || value == "-h") return true;
    }
  }
  return false;
}

Invocation Help(std::string text) { return {.exit_code = kExitOk, .out = std::move(text)}; }

Invocation Mistake(absl::string_view message) {
  return {.exit_code = kExitUsage,
          .err = absl::StrCat("error: ", message, "\nRun '", kProgram,
                              " --help' for the list of commands.\n")};
}

std::string GroupNames(absl::Span<const CommandSpec> commands) {
  std::vector<std::string> names;
  for (const CommandSpec& spec : commands) {
    if (names.empty() || names.back() != spec.group) names.emplace_back(spec.group);
  }
  return absl::StrJoin(names, ", ");
}

std::string VerbNames(absl::Span<const CommandSpec> commands, absl::string_view group) {
  std::vector<std::string> names;
  for (const CommandSpec& spec : commands) {
    if (spec.group == group) names.emplace_back(spec.verb);
  }
  return absl::StrJoin(names, ", ");
}

// `timeledger help [GROUP [VERB]]`: a command's help, a group's, or the overview.
std::string HelpFor(absl::Span<const CommandSpec> commands, const std::vector<std::string>& topic) {
  bool group_known = false;
  for (const CommandSpec& spec : commands) {
    if (topic.empty() || spec.group != topic[0]) continue;
    group_known = true;
    if (spec.verb.empty() || (topic.size() > 1 && spec.verb == topic[1])) return CommandHelp(spec);
  }
  return group_known ? GroupHelp(topic[0], commands) : OverviewHelp(commands);
}

bool LooksLikeOption(absl::string_view word) { return word.size() > 1 && word[0] == '-'; }

// An option `command` ("timeledger entry record") does not have.
std::string UnknownOption(absl::string_view word, absl::string_view command) {
  if (!absl::StartsWith(word, "--")) {
    return absl::StrCat("unknown option '", word, "' (options start with two dashes, e.g. --name)");
  }
  return absl::StrCat("unknown option '", word.substr(0, word.find('=')), "' for '", command, "'");
}

// A "--" before the command was complete; `choices` names what could have come instead.
Invocation MarkTooEarly(absl::string_view choices) {
  return Mistake(absl::StrCat("'--' must come after the command's words; ", choices));
}

// A word CLI11 left over before the command words: an option that is not global, or a first
// word that names no command.
Invocation MisplacedWord(const std::string& word, absl::Span<const CommandSpec> commands) {
  if (LooksLikeOption(word)) {
    return Mistake(absl::StrCat("unknown option '", word,
                                "' before the command; only --server, --token-file, --json, "
                                "the --tls options and --help may come first"));
  }
  return Mistake(
      absl::StrCat("'", word, "' is not a command; the commands are ", GroupNames(commands)));
}

}  // namespace

// Fills a ParsedArgs from the apps CLI11 parsed for one command: the global options given before
// the command words, then the command's own options and positional words.
class ArgsBuilder {
 public:
  ArgsBuilder(const CommandSpec& spec, const LineWords& line) : args_(spec), line_(line) {}

  // Returns the first mistake in a sentence, or "" when the command line is complete.
  // `dangling` is the option that ended the command line without its value, if any.
  std::string Read(const CLI::App& root, const CLI::App& command, const std::string& dangling) {
    if (const std::vector<std::string> unknown = command.remaining(); !unknown.empty()) {
      return UnknownOption(unknown.front(), CommandName(args_.spec()));
    }
    if (std::string mistake = TakeOptions(root); !mistake.empty()) return mistake;
    if (std::string mistake = TakeOptions(command); !mistake.empty()) return mistake;
    if (!dangling.empty()) {
      if (const CLI::Option* option = command.get_option_no_throw(dangling))
        return NoValue(*option);
    }
    for (const CLI::Option* option : command.get_options()) {
      if (!option->get_positional()) continue;
      for (const std::string& word : option->results()) {
        args_.positionals_.push_back(Unhidden(word));
      }
    }
    for (const std::string& word : line_.after_mark) args_.positionals_.push_back(word);
    return CheckComplete();
  }

  ParsedArgs& args() { return args_; }

 private:
  std::string NoValue(const CLI::Option& option) const {
    const std::string& name = option.get_lnames().front();
    if (args_.Has(name)) return absl::StrCat("--", name, " was given more than once");
    return absl::StrCat("--", name, " needs a value: --", name, " ", option.get_type_name());
  }

  // The options of `app` in the order they were given; each value is results()[k] for the
  // option's k-th use.
  std::string TakeOptions(const CLI::App& app) {
    std::map<const CLI::Option*, std::size_t> uses;
    for (const CLI::Option* option : app.parse_order()) {
      if (option->get_positional()) continue;
      const std::string& name = option->get_lnames().front();
      const std::string& value = option->results()[uses[option]++];
      if (args_.Has(name)) return absl::StrCat("--", name, " was given more than once");
      if (option->get_items_expected_max() == 0) {
        if (value != "true" || line_.with_equals.contains(name)) {
          return absl::StrCat("--", name, " takes no value");
        }
        args_.flags_[name] = "";
      } else if (value.empty() || absl::StartsWith(value, "--") ||
                 line_.with_empty_equals.contains(name)) {
        return NoValue(*option);
      } else {
        args_.flags_[name] = Unhidden(value);
      }
    }
    return "";
  }

  // A positional word that is missing or extra, or a required option left out.
  std::string CheckComplete() const {
    const CommandSpec& spec = args_.spec();
    const std::vector<std::string>& words = args_.positionals_;
    for (std::size_t i = words.size(); i < spec.positionals.size(); ++i) {
      const PositionalSpec& missing = spec.positionals[i];
      if (!missing.optional) return absl::StrCat("missing ", missing.name, " (", missing.help, ")");
    }
    if (words.size() > spec.positionals.size()) {
      const std::string& extra = words[spec.positionals.size()];
      std::vector<absl::string_view> names;
      for (const PositionalSpec& positional : spec.positionals) names.push_back(positional.name);
      return absl::StrCat(
          "unexpected '", extra, "': '", CommandName(spec), "' takes only ",
          names.empty() ? "options" : absl::StrJoin(names, " "), "; if '", extra,
          "' belongs to the value before it, put that value in quotes, e.g. --name \"Alice "
          "Brown\"");
    }
    for (const FlagSpec& flag : spec.flags) {
      if (flag.required && !args_.Has(flag.name)) {
        return absl::StrCat("missing ", FlagUsage(flag), " (", flag.help, ")");
      }
    }
    return "";
  }

  ParsedArgs args_;
  const LineWords& line_;
};

namespace {

Invocation ReadCommand(const CLI::App& root, const CLI::App& app, const CommandSpec& spec,
                       const LineWords& line, const std::string& dangling) {
  if (HelpAsked(app) || HelpTakenAsValue(root) || HelpTakenAsValue(app)) {
    return Help(CommandHelp(spec));
  }
  ArgsBuilder builder(spec, line);
  if (std::string mistake = builder.Read(root, app, dangling); !mistake.empty()) {
    return {.exit_code = kExitUsage, .err = builder.args().UsageErrorText(mistake)};
  }
  return {.args = std::move(builder.args())};
}

Invocation ReadGroup(const AppTree& tree, const CLI::App& app,
                     absl::Span<const CommandSpec> commands, const LineWords& line,
                     const std::string& dangling) {
  const std::string& group = app.get_name();
  if (HelpAsked(app)) return Help(GroupHelp(group, commands));
  const std::vector<std::string> extras = app.remaining();
  const std::vector<CLI::App*> chosen = app.get_subcommands();
  const std::string verbs = VerbNames(commands, group);
  if (!extras.empty()) {
    if (LooksLikeOption(extras.front())) {
      return Mistake(UnknownOption(extras.front(), absl::StrCat(kProgram, " ", group)));
    }
    return Mistake(absl::StrCat("'", extras.front(), "' is not a ", group, " command; the ", group,
                                " commands are ", verbs));
  }
  if (chosen.empty() && line.has_mark) {
    return MarkTooEarly(absl::StrCat("the ", group, " commands are ", verbs));
  }
  if (chosen.empty()) {
    return {.exit_code = kExitUsage,
            .err = absl::StrCat("error: '", group, "' needs a command: ", verbs, "\n\n",
                                GroupHelp(group, commands))};
  }
  return ReadCommand(*tree.root, *chosen.front(), *tree.commands.at(chosen.front()), line,
                     dangling);
}

Invocation Interpret(const AppTree& tree, absl::Span<const CommandSpec> commands,
                     const LineWords& line, const std::string& dangling) {
  const CLI::App& root = *tree.root;
  if (HelpAsked(root)) return Help(OverviewHelp(commands));
  const std::vector<std::string> before = root.remaining();
  if (!before.empty()) return MisplacedWord(before.front(), commands);
  const std::vector<CLI::App*> chosen = root.get_subcommands();
  if (chosen.empty() && line.has_mark) {
    return MarkTooEarly(absl::StrCat("the commands are ", GroupNames(commands)));
  }
  if (chosen.empty()) return {.exit_code = kExitUsage, .err = OverviewHelp(commands)};
  const CLI::App* app = chosen.front();
  if (app == tree.help) return Help(HelpFor(commands, app->remaining()));
  if (auto command = tree.commands.find(app); command != tree.commands.end()) {
    return ReadCommand(root, *app, *command->second, line, dangling);
  }
  return ReadGroup(tree, *app, commands, line, dangling);
}

}  // namespace

const std::string& ParsedArgs::Positional(std::size_t i) const {
  static const std::string* const kEmpty = new std::string();
  return i < positionals_.size() ? positionals_[i] : *kEmpty;
}

bool ParsedArgs::Has(absl::string_view flag) const { return flags_.find(flag) != flags_.end(); }

std::string ParsedArgs::Value(absl::string_view flag, absl::string_view fallback) const {
  auto it = flags_.find(flag);
  return it == flags_.end() ? std::string(fallback) : it->second;
}

std::string ParsedArgs::UsageErrorText(absl::string_view message) const {
  return absl::StrCat("error: ", message, "\nusage: ", UsageLine(*spec_), "\nRun '",
                      CommandName(*spec_), " --help' for more.\n");
}

int ParsedArgs::ReportUsageError(absl::string_view message) const {
  std::fputs(UsageErrorText(message).c_str(), stderr);
  return kExitUsage;
}

Invocation ReadCommandLine(absl::Span<const CommandSpec> commands,
                           absl::Span<const std::string> words) {
  const LineWords line = SplitLine(words);
  AppTree tree = BuildApps(commands);
  // CLI11 parses from the back.
  std::vector<std::string> reversed(line.parsed.rbegin(), line.parsed.rend());
  std::string dangling;
  try {
    tree.root->parse(reversed);
  } catch (const CLI::ArgumentMismatch& error) {
    // Thrown when the last word is an option that needs a value; CLI11 stops there, with every
    // earlier word parsed, so the rest of the line can still be read and its mistakes named.
    const std::vector<std::string>& parsed = line.parsed;
    if (parsed.empty() || !absl::StartsWith(parsed.back(), "--")) return Mistake(error.what());
    dangling = parsed.back().substr(0, parsed.back().find('='));
  } catch (const CLI::ParseError& error) {
    // Not expected with the settings above; said as CLI11 says it rather than lost.
    return Mistake(error.what());
  }
  Invocation invocation = Interpret(tree, commands, line, dangling);
  absl::StrReplaceAll({{HiddenPlusPlus(), kPlusPlus}}, &invocation.err);
  return invocation;
}

}  // namespace timeledger::cli
