// Thread options, written once and added to run, chat, logits, info and
// serve: --threads/-t N, --cpus LIST, --no-pin; info --threads prints the
// topology and the chosen cores.
#include <cstdio>
#include <string>

#include "cli/commands.h"

namespace cli {

void add_thread_options(CLI::App* app, ThreadOptions* out, bool long_threads) {
  add_int(app, long_threads ? "-t,--threads" : "-t", &out->n_threads, 0, 512, "worker threads",
          "0..512, 0 = automatic");
  add_list(app, "--cpus", &out->cpus, "CPUs to run on, e.g. 0-3,6");
  add_switch(app, "--no-pin", &out->no_pin, "do not pin threads to cores (leave placement to the OS)");
}

void apply_thread_options(const ThreadOptions& t, edgellm_context_params* cp) {
  cp->n_threads = t.n_threads;
  cp->cpus = t.cpus.empty() ? nullptr : t.cpus.c_str();
  cp->pin_threads = t.no_pin ? 0 : 1;
}

void print_thread_warnings(const edgellm_context* ctx) {
  std::string text(edgellm_context_threads(ctx, nullptr, 0) + 1, '\0');
  edgellm_context_threads(ctx, text.data(), text.size());
  for (size_t pos = 0; pos < text.size();) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(pos, end - pos);
    if (line.rfind("warning:", 0) == 0) std::fprintf(stderr, "edgellm: %s\n", line.c_str());
    pos = end + 1;
  }
}

int print_threads(const ThreadOptions& t, const std::string& topology) {
  size_t n = 0;
  const char* cpus = t.cpus.empty() ? nullptr : t.cpus.c_str();
  const char* topo = topology.empty() ? nullptr : topology.c_str();
  if (edgellm_describe_threads(topo, t.n_threads, cpus, nullptr, 0, &n) != EDGELLM_OK) {
    return fail_api("cannot describe the threads");
  }
  std::string text(n + 1, '\0');
  if (edgellm_describe_threads(topo, t.n_threads, cpus, text.data(), text.size(), &n) != EDGELLM_OK) {
    return fail_api("cannot describe the threads");
  }
  text.resize(n);
  std::printf("%s", text.c_str());
  return 0;
}

}  // namespace cli
