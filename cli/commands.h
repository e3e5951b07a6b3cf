// One function per CLI subcommand; each returns the process exit status.
#pragma once

#include "cli/args.h"
#include "edgellm.h"

namespace cli {

int cmd_run(Args& args);
int cmd_tokenize(Args& args);
int cmd_logits(Args& args);
int cmd_info(Args& args);
int cmd_synth(Args& args);

// Shared helpers.
int fail_api(const char* what);                 // prints edgellm_last_error, returns 1
int fail_usage(const Args& args, const char* msg);  // prints msg or args.error(), returns 2
std::string json_escape(const std::string& s);

}  // namespace cli
