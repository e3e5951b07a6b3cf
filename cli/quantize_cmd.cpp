// edgellm quantize IN.gguf OUT.gguf TYPE [-t THREADS]
#include <sys/stat.h>

#include <cstdio>
#include <string>

#include "cli/commands.h"
#include "cli/progress.h"

namespace cli {

int cmd_quantize(Args& args) {
  double threads = 0;
  args.number("--threads", "-t", &threads);
  std::vector<std::string> pos;
  std::string v;
  while (args.positional(&v)) pos.push_back(v);
  if (!args.finish() || pos.size() != 3) {
    return fail_usage(args, "usage: edgellm quantize IN.gguf OUT.gguf TYPE [-t THREADS]");
  }
  ProgressBar bar("quantize");
  if (edgellm_quantize_model(pos[0].c_str(), pos[1].c_str(), pos[2].c_str(),
                             static_cast<int32_t>(threads), &ProgressBar::callback,
                             &bar) != EDGELLM_OK) {
    bar.finish();
    return fail_api("cannot quantize");
  }
  bar.finish();
  struct stat si {}, so {};
  stat(pos[0].c_str(), &si);
  stat(pos[1].c_str(), &so);
  std::fprintf(stderr, "wrote %s (%s): %.1f MiB -> %.1f MiB\n", pos[1].c_str(), pos[2].c_str(),
               si.st_size / 1048576.0, so.st_size / 1048576.0);
  return 0;
}

}  // namespace cli
