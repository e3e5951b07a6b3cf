// edgellm quantize IN.gguf OUT.gguf TYPE [-t THREADS]
#include <sys/stat.h>

#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/progress.h"

namespace cli {

namespace {

struct QuantizeOptions {
  std::string in, out, type;
  int32_t threads = 0;
};

int quantize_main(const QuantizeOptions& o) {
  if (o.in.empty() || o.out.empty() || o.type.empty()) {
    return fail_usage("usage: edgellm quantize IN.gguf OUT.gguf TYPE [-t THREADS]");
  }
  ProgressBar bar("quantize");
  if (edgellm_quantize_model(o.in.c_str(), o.out.c_str(), o.type.c_str(), o.threads,
                             &ProgressBar::callback, &bar) != EDGELLM_OK) {
    bar.finish();
    return fail_api("cannot quantize");
  }
  bar.finish();
  struct stat si {}, so {};
  stat(o.in.c_str(), &si);
  stat(o.out.c_str(), &so);
  std::fprintf(stderr, "wrote %s (%s): %.1f MiB -> %.1f MiB\n", o.out.c_str(), o.type.c_str(),
               si.st_size / 1048576.0, so.st_size / 1048576.0);
  return 0;
}

}  // namespace

Runner add_quantize_command(CLI::App* app) {
  auto o = std::make_shared<QuantizeOptions>();
  app->add_option("input", o->in, "F32/F16/BF16 GGUF model")->type_name("IN.gguf");
  app->add_option("output", o->out, "GGUF file to write")->type_name("OUT.gguf");
  app->add_option("type", o->type, "q8_0 q4_0 q4_1 q5_0 q5_1 q2_k q3_k q3_k_m q4_k q4_k_m q5_k q5_k_m q6_k ...")
      ->type_name("TYPE");
  add_int(app, "-t,--threads", &o->threads, 0, 512, "worker threads", "0..512, 0 = automatic");
  return [o] { return quantize_main(*o); };
}

}  // namespace cli
