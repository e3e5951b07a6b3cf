// edgellm command-line interface. Built only on the public C API; the
// command line is parsed by CLI11 (one subcommand per command, cli/options.h
// for the typed, range-checked values).
#include <cstdio>
#include <exception>
#include <map>
#include <new>
#include <string>

#include "cli/commands.h"
#include "edgellm.h"

namespace {

struct CommandEntry {
  const char* name;
  const char* description;
  cli::Runner (*add)(CLI::App*);
};

const CommandEntry kCommands[] = {
    {"run", "generate text from a prompt (streams it, or --json)", cli::add_run_command},
    {"chat", "interactive chat; the KV cache is kept between turns", cli::add_chat_command},
    {"tokenize", "print a prompt's token ids", cli::add_tokenize_command},
    {"logits", "write the logits of every prompt position to a file", cli::add_logits_command},
    {"info", "model summary, memory plan, CPU features, threads, Vulkan devices", cli::add_info_command},
    {"synth", "write a synthetic model with random weights and a real model's shapes", cli::add_synth_command},
    {"quantize", "quantize an F32/F16/BF16 model", cli::add_quantize_command},
    {"bench", "prefill and decode throughput with perf counters", cli::add_bench_command},
    {"serve", "OpenAI-compatible HTTP server", cli::add_serve_command},
};

int run(int argc, char** argv) {
  CLI::App app("edgellm " + std::string(edgellm_version()) +
                   ": LLM inference on ARM edge boards (GGUF models)",
               "edgellm");
  app.set_version_flag("--version", "edgellm " + std::string(edgellm_version()));
  app.allow_extras();  // unknown arguments are reported by parse_command_line, with a suggestion
  app.require_subcommand(0, 1);  // one command at a time (no chaining)
  app.footer("edgellm COMMAND --help lists a command's options.");
  std::map<const CLI::App*, cli::Runner> runners;
  for (const CommandEntry& c : kCommands) {
    CLI::App* sub = app.add_subcommand(c.name, c.description);
    sub->allow_extras();
    runners[sub] = c.add(sub);
  }
  CLI::App* version = app.add_subcommand("version", "print the version");
  runners[version] = [] {
    std::printf("edgellm %s\n", edgellm_version());
    return 0;
  };
  CLI::App* help = app.add_subcommand("help", "list the commands, or a command's options");
  std::string help_on;
  help->add_option("command", help_on, "command whose options to list")->type_name("COMMAND");
  runners[help] = [&app, &help_on] {
    const CLI::App* target = &app;
    std::string name = "edgellm";
    if (!help_on.empty()) {
      try {
        target = app.get_subcommand(help_on);
      } catch (const CLI::OptionNotFound&) {
        return cli::fail_usage("help: unknown command '" + help_on + "' (edgellm --help lists them)");
      }
      name += " " + help_on;
    }
    std::printf("%s", app.get_formatter()->make_help(target, name, CLI::AppFormatMode::Normal).c_str());
    return 0;
  };
  CLI::App* selected = nullptr;
  const int rc = cli::parse_command_line(app, argc, argv, &selected);
  if (!selected) return rc;  // help, --version or a usage error
  return runners.at(selected)();
}

}  // namespace

int main(int argc, char** argv) {
  // A model file truncated or replaced while mapped stops the process with
  // a message naming it (exit 135), not a bare SIGBUS (docs/hardening.md).
  edgellm_install_sigbus_handler();
  // Whatever escapes a command (e.g. std::bad_alloc) ends it with one line
  // and exit status 1, not an abort.
  try {
    return run(argc, argv);
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "edgellm: out of memory\n");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "edgellm: %s\n", e.what());
  }
  return 1;
}
