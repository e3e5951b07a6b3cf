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
               "            [--ignore-eos] [--json] [-b BATCH] [--kv-type f16|f32|q8_0] [--no-mmap]\n"
               "            [--mlock] [--repack auto|on|off] [--numa-interleave] [--cpus LIST] [--no-pin]\n"
               "            [--backend cpu|vulkan|auto] [--vulkan-device N]   (also chat, logits,\n"
               "            info, bench, serve): vulkan offloads the model to a GPU, auto uses one\n"
               "            when present\n"
               "  chat      -m MODEL [--system TEXT] [--family chatml|llama3|llama2|mistral|gemma|phi3]\n"
               "            [-n N] [--temp T] [--seed S] [-c CTX]   interactive, KV cache kept between turns\n"
               "  tokenize  -m MODEL -p TEXT [--no-special] [--parse-special]\n"
               "  logits    -m MODEL -p PROMPT -o FILE [--kv-type f32|f16|q8_0] [-t THREADS]\n"
               "            [--repack auto|on|off]\n"
               "  info      [-m MODEL] [--cpu] [--plan] [--repack auto|on|off]   model summary\n"
               "            (with repacked bytes); --cpu: SIMD features and kernels; --plan:\n"
               "            memory plan (weights from the file vs repacked)\n"
               "  info      --vulkan   Vulkan devices and the limits the backend uses\n"
               "  info      --threads [-t N] [--cpus LIST] [--topology HWLOC.xml]   CPU topology\n"
               "            (kinds, NUMA nodes) and the cores a context would run on\n"
               "  synth     --preset NAME --type TYPE -o FILE.gguf [--seed S]\n"
               "            presets: tiny, tinyllama-1.1b, llama-3.2-1b, qwen2.5-0.5b, qwen3-0.6b,\n"
               "            smollm2-135m, gemma-3-1b, lfm2-350m; types: f32 f16 bf16 q8_0 q4_0 q4_1\n"
               "            q5_0 q5_1 q2_k q3_k q3_k_m q4_k q4_k_m q5_k q5_k_m q6_k\n"
               "  quantize  IN.gguf OUT.gguf TYPE [-t THREADS]   (F32/F16/BF16 weights in)\n"
               "  bench     -m MODEL [-p 512] [-n 128] [-t LIST] [-r REPS] [--pmu EVENTS]\n"
               "            [-o md|json|csv] [--profile] [--repack auto|on|off]\n"
               "  serve     -m MODEL [--host 127.0.0.1] [--port 8080] [--api-key KEY] [--parallel N]\n"
               "            [--queue N] [--family NAME] [-c CTX] [-t THREADS] [--cpus LIST]   OpenAI-\n"
               "            compatible HTTP server (/v1/chat/completions, /v1/completions, ...)\n"
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
  if (cmd == "chat") return cli::cmd_chat(args);
  if (cmd == "tokenize") return cli::cmd_tokenize(args);
  if (cmd == "logits") return cli::cmd_logits(args);
  if (cmd == "info") return cli::cmd_info(args);
  if (cmd == "synth") return cli::cmd_synth(args);
  if (cmd == "quantize") return cli::cmd_quantize(args);
  if (cmd == "bench") return cli::cmd_bench(args);
  if (cmd == "serve") return cli::cmd_serve(args);
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
