// edgellm command-line interface. Built only on the public C API.
#include <cstdio>
#include <cstring>
#include <string>

#include "cli/commands.h"

namespace {

void usage() {
  std::fprintf(stderr,
               "usage: edgellm <command> [options]\n"
               "commands:\n"
               "  run       -m MODEL -p PROMPT [-n N] [--temp T] [--top-k K] [--top-p P]\n"
               "            [--min-p P] [--repeat-penalty R] [--seed S] [-t THREADS] [-c CTX]\n"
               "            [--ignore-eos] [--json]\n"
               "  tokenize  -m MODEL -p TEXT\n"
               "  logits    -m MODEL -p PROMPT -o FILE\n"
               "  info      [-m MODEL] [--cpu]   model summary; --cpu: SIMD features and kernels\n"
               "  synth     --preset NAME --type TYPE -o FILE.gguf   (presets: tiny)\n"
               "  version\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    usage();
    return 2;
  }
  const std::string cmd = argv[1];
  cli::Args args(argc, argv, 2);
  if (cmd == "run") return cli::cmd_run(args);
  if (cmd == "tokenize") return cli::cmd_tokenize(args);
  if (cmd == "logits") return cli::cmd_logits(args);
  if (cmd == "info") return cli::cmd_info(args);
  if (cmd == "synth") return cli::cmd_synth(args);
  if (cmd == "version" || cmd == "--version") {
    std::printf("edgellm %s\n", edgellm_version());
    return 0;
  }
  if (cmd == "help" || cmd == "--help" || cmd == "-h") {
    usage();
    return 0;
  }
  std::fprintf(stderr, "edgellm: unknown command '%s'\n", cmd.c_str());
  usage();
  return 2;
}
