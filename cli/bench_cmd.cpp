// edgellm bench (placeholder until the benchmark lands).
#include "cli/commands.h"

namespace cli {

int cmd_bench(Args& args) { return fail_usage(args, "bench: not implemented yet"); }

}  // namespace cli
