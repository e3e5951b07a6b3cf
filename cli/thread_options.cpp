// Thread options shared by run and info: --threads/-t N, --cpus LIST,
// --no-pin; info --threads prints the topology and the chosen cores.
#include <cstdio>
#include <string>

#include "cli/commands.h"

namespace cli {

bool read_thread_options(Args& args, ThreadOptions* out) {
  double n = 0;
  if (args.number("--threads", "-t", &n)) {
    if (n < 0 || n > 512 || n != static_cast<double>(static_cast<int32_t>(n))) {
      std::fprintf(stderr, "edgellm: --threads must be a whole number in 0..512 (0 = automatic)\n");
      return false;
    }
    out->n_threads = static_cast<int32_t>(n);
  }
  out->has_cpus = args.value("--cpus", nullptr, &out->cpus);
  out->pin = !args.flag("--no-pin");
  return args.error().empty();
}

void apply_thread_options(const ThreadOptions& t, edgellm_context_params* cp) {
  cp->n_threads = t.n_threads;
  cp->cpus = t.has_cpus ? t.cpus.c_str() : nullptr;
  cp->pin_threads = t.pin ? 1 : 0;
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
  const char* cpus = t.has_cpus ? t.cpus.c_str() : nullptr;
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
