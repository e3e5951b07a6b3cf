#include "cli/options.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <system_error>

namespace cli {
namespace {

// Options that accept repeats (add_list); every other option may be given once.
std::set<const CLI::Option*>& list_options() {
  static std::set<const CLI::Option*> s;
  return s;
}

// "-c,--ctx-size" -> "-c/--ctx-size" (as the user may have typed either)
std::string shown(const std::string& names) {
  std::string out = names;
  std::replace(out.begin(), out.end(), ',', '/');
  return "option " + out;
}

std::string fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

std::string strip_dashes(const std::string& s) {
  size_t i = 0;
  while (i < s.size() && i < 2 && s[i] == '-') ++i;
  return s.substr(i);
}

}  // namespace

bool parse_int64(const std::string& text, int64_t* out) {
  const char* b = text.data();
  const char* e = b + text.size();
  if (b != e && *b == '+') ++b;
  if (b == e) return false;
  const auto r = std::from_chars(b, e, *out, 10);
  if (r.ec == std::errc::result_out_of_range && r.ptr == e) {
    *out = text[0] == '-' ? INT64_MIN : INT64_MAX;  // the caller's range check rejects it
    return true;
  }
  return r.ec == std::errc() && r.ptr == e;
}

bool parse_uint64(const std::string& text, uint64_t* out) {
  const char* b = text.data();
  const char* e = b + text.size();
  if (b != e && *b == '+') ++b;
  if (b == e || *b == '-') return false;
  const auto r = std::from_chars(b, e, *out, 10);
  return r.ec == std::errc() && r.ptr == e;
}

namespace {
// Any number from_chars reads, infinities, NaN and out-of-range ones included.
bool parse_double(const std::string& text, double* out) {
  const char* b = text.data();
  const char* e = b + text.size();
  if (b != e && *b == '+') ++b;
  if (b == e) return false;
  const auto r = std::from_chars(b, e, *out, std::chars_format::general);
  if (r.ec == std::errc::result_out_of_range && r.ptr == e) {
    *out = std::strtod(text.c_str(), nullptr);  // +-HUGE_VAL, or 0 / a denormal for a tiny value
    return true;
  }
  return r.ec == std::errc() && r.ptr == e;
}
}  // namespace

bool parse_finite(const std::string& text, double* out) {
  return parse_double(text, out) && std::isfinite(*out);
}

CLI::Option* add_int(CLI::App* app, const std::string& names, int32_t* out, int64_t lo, int64_t hi,
                     const std::string& help, const std::string& range) {
  const std::string who = shown(names);
  const std::string r = range.empty() ? std::to_string(lo) + ".." + std::to_string(hi) : range;
  CLI::Option* opt = app->add_option_function<std::string>(
      names,
      [out, lo, hi, who, r](const std::string& v) {
        int64_t x = 0;
        if (!parse_int64(v, &x)) throw CLI::ValidationError(who, "'" + v + "' is not a whole number (" + r + ")");
        if (x < lo || x > hi) throw CLI::ValidationError(who, "'" + v + "' is out of range (" + r + ")");
        *out = static_cast<int32_t>(x);
      },
      help + " (" + r + ")");
  opt->type_name("INT")->default_str(std::to_string(*out));
  return opt;
}

CLI::Option* add_u64(CLI::App* app, const std::string& names, uint64_t* out, const std::string& help) {
  const std::string who = shown(names);
  CLI::Option* opt = app->add_option_function<std::string>(
      names,
      [out, who](const std::string& v) {
        if (!parse_uint64(v, out)) {
          throw CLI::ValidationError(who, "'" + v + "' is not a whole number in 0..18446744073709551615");
        }
      },
      help);
  opt->type_name("UINT64")->default_str(std::to_string(*out));
  return opt;
}

CLI::Option* add_float(CLI::App* app, const std::string& names, float* out, double lo, double hi,
                       const std::string& help, bool lo_open) {
  const std::string who = shown(names);
  std::string r;
  if (std::isinf(hi)) r = (lo_open ? "> " : ">= ") + fmt(lo);
  else r = fmt(lo) + ".." + fmt(hi);
  CLI::Option* opt = app->add_option_function<std::string>(
      names,
      [out, lo, hi, lo_open, who, r](const std::string& v) {
        double x = 0;
        if (!parse_finite(v, &x)) {
          const bool number = parse_double(v, &x);  // nan, inf or beyond double
          throw CLI::ValidationError(who, "'" + v + (number ? "' is not a finite number (" : "' is not a number (") + r + ")");
        }
        if (x < lo || (lo_open && x == lo) || x > hi || !std::isfinite(static_cast<float>(x))) {
          throw CLI::ValidationError(who, "'" + v + "' is out of range (" + r + ")");
        }
        *out = static_cast<float>(x);
      },
      help + " (" + r + ")");
  opt->type_name("FLOAT")->default_str(fmt(*out));
  return opt;
}

CLI::Option* add_choice(CLI::App* app, const std::string& names, int32_t* out,
                        const std::vector<std::string>& choices, const std::vector<int32_t>& values,
                        const std::string& help) {
  const std::string who = shown(names);
  std::string list, def, words;  // "a|b|c", "a, b or c"
  for (size_t i = 0; i < choices.size(); ++i) {
    list += (i ? "|" : "") + choices[i];
    words += (i == 0 ? "" : i + 1 == choices.size() ? " or " : ", ") + choices[i];
    if (values[i] == *out) def = choices[i];
  }
  CLI::Option* opt = app->add_option_function<std::string>(
      names,
      [out, choices, values, who, words](const std::string& v) {
        for (size_t i = 0; i < choices.size(); ++i) {
          if (v == choices[i]) {
            *out = values[i];
            return;
          }
        }
        throw CLI::ValidationError(who + " must be " + words + " (got '" + v + "')");
      },
      help);
  opt->type_name(list)->default_str(def);
  return opt;
}

CLI::Option* add_text(CLI::App* app, const std::string& names, std::string* out, const std::string& help,
                      const std::string& type_name) {
  CLI::Option* opt = app->add_option(names, *out, help);
  opt->type_name(type_name);
  if (!out->empty()) opt->default_str(*out);
  return opt;
}

CLI::Option* add_list(CLI::App* app, const std::string& names, std::string* out, const std::string& help,
                      const std::string& type_name) {
  const std::string def = *out;
  CLI::Option* opt = app->add_option_function<std::vector<std::string>>(
      names,
      [out](const std::vector<std::string>& items) {
        std::string joined;
        for (const std::string& s : items) joined += (joined.empty() ? "" : ",") + s;
        *out = joined;
      },
      help + " (comma-separated; may be repeated)");
  opt->type_name(type_name)->allow_extra_args(false);
  if (!def.empty()) opt->default_str(def);
  list_options().insert(opt);
  return opt;
}

CLI::Option* add_switch(CLI::App* app, const std::string& names, bool* out, const std::string& help) {
  return app->add_flag(names, *out, help);
}

size_t edit_distance(const std::string& a, const std::string& b) {
  // Optimal string alignment: insertions, deletions, substitutions and
  // adjacent transpositions ("--tmep" is one step from "--temp").
  const size_t n = a.size(), m = b.size();
  std::vector<std::vector<size_t>> d(n + 1, std::vector<size_t>(m + 1));
  for (size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (size_t i = 1; i <= n; ++i) {
    for (size_t j = 1; j <= m; ++j) {
      const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[n][m];
}

namespace {
// The name closest to key by edit_distance (ties: the first), if within limit.
std::string nearest(const std::string& key, const std::vector<std::string>& names, size_t limit) {
  std::string best;
  size_t best_d = SIZE_MAX;
  for (const std::string& name : names) {
    const size_t d = edit_distance(key, strip_dashes(name));
    if (d < best_d) {
      best_d = d;
      best = name;
    }
  }
  return best_d <= limit ? best : "";
}
}  // namespace

std::string nearest_option(const CLI::App* app, const std::string& arg) {
  const std::string key = strip_dashes(arg.substr(0, arg.find('=')));
  if (key.empty()) return "";
  std::vector<std::string> spellings;
  for (const CLI::Option* opt : app->get_options()) {
    for (const std::string& l : opt->get_lnames()) spellings.push_back("--" + l);
    for (const std::string& s : opt->get_snames()) spellings.push_back("-" + s);
  }
  // Close enough to be a typo: one edit in a short name, up to a third of a long one.
  return nearest(key, spellings, std::max<size_t>(1, std::min<size_t>(3, key.size() / 3)));
}

namespace {

// A repeated option (other than a list): its message, else "".
std::string repeated(const CLI::App* app) {
  for (const CLI::Option* opt : app->get_options()) {
    if (opt->count() > 1 && !list_options().count(opt)) {
      return shown(opt->get_name(false, true)) + " was given " + std::to_string(opt->count()) +
             " times; give it once";
    }
  }
  return "";
}

// The first argument nobody took, as a message (with "did you mean"), else "".
std::string unknown(const CLI::App* app, const std::string& where) {
  const std::vector<std::string> rest = app->remaining();
  if (rest.empty()) return "";
  const std::string& a = rest.front();
  if (a.size() > 1 && a[0] == '-') {
    std::string msg = "unknown option '" + a + "' for " + where;
    const std::string near = nearest_option(app, a);
    if (!near.empty()) msg += "; did you mean '" + near + "'?";
    return msg;
  }
  return "unexpected argument '" + a + "' for " + where;
}

int usage_error(const CLI::App* sub, const std::string& msg) {
  std::fprintf(stderr, "edgellm: %s\n", msg.c_str());
  if (sub) std::fprintf(stderr, "(edgellm %s --help lists its options)\n", sub->get_name().c_str());
  else std::fprintf(stderr, "(edgellm --help lists the commands)\n");
  return 2;
}

}  // namespace

int parse_command_line(CLI::App& app, int argc, char** argv, CLI::App** selected) {
  *selected = nullptr;
  std::string error;
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    error = e.what();
  }
  const std::vector<CLI::App*> subs = app.get_subcommands();
  CLI::App* sub = subs.empty() ? nullptr : subs.back();
  if (!sub) {
    // The first argument names the command.
    if (argc >= 2 && argv[1][0] != '-') {
      std::string msg = std::string("unknown command '") + argv[1] + "'";
      std::vector<std::string> commands;
      for (const CLI::App* s : app.get_subcommands([](const CLI::App*) { return true; })) {
        commands.push_back(s->get_name());
      }
      if (const std::string best = nearest(argv[1], commands, 2); !best.empty()) {
        msg += "; did you mean '" + best + "'?";
      }
      return usage_error(nullptr, msg);
    }
    if (const std::string m = repeated(&app); !m.empty()) return usage_error(nullptr, m);
    if (const std::string m = unknown(&app, "edgellm"); !m.empty()) return usage_error(nullptr, m);
    if (!error.empty()) return usage_error(nullptr, error);
    std::fprintf(stderr, "%s", app.help().c_str());
    return 2;
  }
  if (const std::string m = repeated(sub); !m.empty()) return usage_error(sub, m);
  if (const std::string m = unknown(sub, "'edgellm " + sub->get_name() + "'"); !m.empty()) {
    return usage_error(sub, m);
  }
  if (!error.empty()) return usage_error(sub, error);
  *selected = sub;
  return 0;
}

}  // namespace cli
