// Typed, range-checked options on top of CLI11 (Debian's libcli11-dev).
//
// CLI11 2.1 converts integers with strtoll/strtoull in base 0 ("010" is 8,
// "-1" is 2^64-1 for an unsigned, an overflow saturates) and floats accept
// "nan" and "inf". So every number here is read as text and converted by
// these helpers: integers in base 10 only, within [lo, hi]; floats finite,
// within [lo, hi]. A bad value is a CLI::ValidationError that names the
// option, e.g. "option -c/--ctx-size: '-1' is out of range 0..16777216".
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace cli {

// Integer option stored in *out (int32_t, int64_t or uint64_t). `range`
// is the help text for the accepted values; empty: "lo..hi".
CLI::Option* add_int(CLI::App* app, const std::string& names, int32_t* out, int64_t lo, int64_t hi,
                     const std::string& help, const std::string& range = "");
CLI::Option* add_u64(CLI::App* app, const std::string& names, uint64_t* out, const std::string& help);
// Finite float option (lo/hi inclusive; lo_open: lo itself is refused).
CLI::Option* add_float(CLI::App* app, const std::string& names, float* out, double lo, double hi,
                       const std::string& help, bool lo_open = false);
// One of `choices` (their index goes to *out).
CLI::Option* add_choice(CLI::App* app, const std::string& names, int32_t* out,
                        const std::vector<std::string>& choices, const std::vector<int32_t>& values,
                        const std::string& help);
// Plain text option.
CLI::Option* add_text(CLI::App* app, const std::string& names, std::string* out, const std::string& help,
                      const std::string& type_name = "TEXT");
// A comma-separated list that may also be given several times: the values
// are joined with ',' ("-t 1,2 -t 4" = "1,2,4").
CLI::Option* add_list(CLI::App* app, const std::string& names, std::string* out, const std::string& help,
                      const std::string& type_name = "LIST");
// A flag: given or not.
CLI::Option* add_switch(CLI::App* app, const std::string& names, bool* out, const std::string& help);

// Parses base-10 integers / finite floats exactly (whole text, no blanks).
bool parse_int64(const std::string& text, int64_t* out);
bool parse_uint64(const std::string& text, uint64_t* out);
bool parse_finite(const std::string& text, double* out);

// Levenshtein distance (for "did you mean").
size_t edit_distance(const std::string& a, const std::string& b);
// The option name of `app` (long or short spelling, "--x"/"-x") nearest to
// `arg`, or "" when none is close enough to be a likely typo.
std::string nearest_option(const CLI::App* app, const std::string& arg);

// Parses the command line. *selected: the subcommand to run; null when
// there is nothing to run, and then the result is the exit status (help and
// --version: 0 after printing; a usage error: 2 after "edgellm: ..." on
// stderr).
int parse_command_line(CLI::App& app, int argc, char** argv, CLI::App** selected);

}  // namespace cli
