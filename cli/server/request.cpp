#include "cli/server/request.h"

#include <cmath>
#include <limits>

#include <nlohmann/json.hpp>

namespace cli::server {
namespace {

using json = nlohmann::json;

// A field that is absent or null reads as "not given".
const json* field(const json& obj, const char* key) {
  const auto it = obj.find(key);
  return it == obj.end() || it->is_null() ? nullptr : &*it;
}

std::string quoted(const char* key) { return std::string("'") + key + "'"; }

bool type_error(const char* key, const char* what, ApiError* err) {
  *err = invalid_request(quoted(key) + " must be " + what, key, "invalid_type");
  return false;
}

bool read_number(const json& o, const char* key, double lo, double hi, std::optional<double>* out,
                 ApiError* err) {
  const json* v = field(o, key);
  if (!v) return true;
  if (!v->is_number()) return type_error(key, "a number", err);
  const double d = v->get<double>();
  if (!(d >= lo && d <= hi)) {
    *err = invalid_request(quoted(key) + " must be between " + json(lo).dump() + " and " +
                               json(hi).dump() + " (got " + v->dump() + ")",
                           key, "invalid_value");
    return false;
  }
  *out = d;
  return true;
}

bool read_integer(const json& o, const char* key, int64_t lo, int64_t hi, std::optional<int64_t>* out,
                  ApiError* err) {
  const json* v = field(o, key);
  if (!v) return true;
  int64_t i = 0;
  bool in_range = true;
  if (v->is_number_unsigned()) {
    const uint64_t u = v->get<uint64_t>();
    in_range = u <= static_cast<uint64_t>(hi);
    i = in_range ? static_cast<int64_t>(u) : hi;
  } else if (v->is_number_integer()) {
    i = v->get<int64_t>();
  } else if (v->is_number_float()) {
    const double d = v->get<double>();
    if (d != std::floor(d) || !(std::fabs(d) < 9.0e15)) return type_error(key, "an integer", err);
    i = static_cast<int64_t>(d);
  } else {
    return type_error(key, "an integer", err);
  }
  if (!in_range || i < lo || i > hi) {
    *err = invalid_request(quoted(key) + " must be between " + std::to_string(lo) + " and " +
                               std::to_string(hi) + " (got " + v->dump() + ")",
                           key, "invalid_value");
    return false;
  }
  *out = i;
  return true;
}

bool read_bool(const json& o, const char* key, bool* out, ApiError* err) {
  const json* v = field(o, key);
  if (!v) return true;
  if (!v->is_boolean()) return type_error(key, "true or false", err);
  *out = v->get<bool>();
  return true;
}

bool read_seed(const json& o, std::optional<uint64_t>* out, ApiError* err) {
  const json* v = field(o, "seed");
  if (!v) return true;
  if (v->is_number_unsigned()) {
    *out = v->get<uint64_t>();
  } else if (v->is_number_integer()) {
    *out = static_cast<uint64_t>(v->get<int64_t>());
  } else {
    return type_error("seed", "an integer", err);
  }
  return true;
}

bool read_stop(const json& o, std::vector<std::string>* out, ApiError* err) {
  const json* v = field(o, "stop");
  if (!v) return true;
  constexpr size_t kMaxStops = 4;  // the OpenAI limit
  if (v->is_string()) {
    if (!v->get_ref<const std::string&>().empty()) out->push_back(v->get<std::string>());
    return true;
  }
  if (!v->is_array()) return type_error("stop", "a string or an array of strings", err);
  if (v->size() > kMaxStops) {
    *err = invalid_request("'stop' takes at most 4 strings", "stop", "invalid_value");
    return false;
  }
  for (const json& s : *v) {
    if (!s.is_string()) return type_error("stop", "a string or an array of strings", err);
    if (!s.get_ref<const std::string&>().empty()) out->push_back(s.get<std::string>());
  }
  return true;
}

bool read_content(const json& m, size_t index, std::string* out, ApiError* err) {
  const std::string param = "messages[" + std::to_string(index) + "].content";
  const json* c = field(m, "content");
  if (!c) return true;  // e.g. an assistant turn that only called tools: empty text
  if (c->is_string()) {
    *out = c->get<std::string>();
  } else if (c->is_array()) {
    // Content parts: text parts are joined; other kinds need a model that reads them.
    for (const json& part : *c) {
      const json* type = part.is_object() ? field(part, "type") : nullptr;
      const json* text = part.is_object() ? field(part, "text") : nullptr;
      if (!type || !type->is_string() || *type != "text" || !text || !text->is_string()) {
        *err = invalid_request(param + ": only text content parts ({\"type\":\"text\",\"text\":...}) are supported",
                               param, "invalid_value");
        return false;
      }
      *out += text->get_ref<const std::string&>();
    }
  } else {
    *err = invalid_request(param + " must be a string or an array of content parts", param, "invalid_type");
    return false;
  }
  if (out->find('\0') != std::string::npos) {
    *err = invalid_request(param + " contains a NUL character", param, "invalid_value");
    return false;
  }
  return true;
}

bool read_messages(const json& o, std::vector<Message>* out, ApiError* err) {
  const json* v = field(o, "messages");
  if (!v) {
    *err = invalid_request("'messages' is required", "messages", "missing_field");
    return false;
  }
  if (!v->is_array() || v->empty()) return type_error("messages", "a non-empty array of messages", err);
  for (size_t i = 0; i < v->size(); ++i) {
    const json& m = (*v)[i];
    const std::string param = "messages[" + std::to_string(i) + "]";
    if (!m.is_object()) {
      *err = invalid_request(param + " must be an object", param, "invalid_type");
      return false;
    }
    const json* role = field(m, "role");
    if (!role || !role->is_string()) {
      *err = invalid_request(param + ".role must be a string", param + ".role", "invalid_type");
      return false;
    }
    Message msg;
    msg.role = role->get<std::string>();
    if (msg.role == "developer") msg.role = "system";
    if (msg.role != "system" && msg.role != "user" && msg.role != "assistant") {
      *err = invalid_request(param + ".role '" + role->get<std::string>() +
                                 "' is not supported (system, developer, user, assistant)",
                             param + ".role", "invalid_value");
      return false;
    }
    if (!read_content(m, i, &msg.content, err)) return false;
    out->push_back(std::move(msg));
  }
  return true;
}

bool read_prompt(const json& o, GenerationRequest* out, ApiError* err) {
  const json* v = field(o, "prompt");
  if (!v) {
    *err = invalid_request("'prompt' is required", "prompt", "missing_field");
    return false;
  }
  if (v->is_string()) {
    out->prompt = v->get<std::string>();
    return true;
  }
  const char* what = "a string, an array holding one string, or an array of token ids";
  if (!v->is_array()) return type_error("prompt", what, err);
  if (v->size() == 1 && (*v)[0].is_string()) {
    out->prompt = (*v)[0].get<std::string>();
    return true;
  }
  if (!v->empty() && (*v)[0].is_string()) {
    *err = invalid_request("'prompt': one prompt per request", "prompt", "invalid_value");
    return false;
  }
  for (const json& t : *v) {
    if (!t.is_number_integer() || t.get<int64_t>() < 0 || t.get<int64_t>() > INT32_MAX) {
      return type_error("prompt", what, err);
    }
    out->prompt_tokens.push_back(static_cast<int32_t>(t.get<int64_t>()));
  }
  out->prompt_is_tokens = true;
  return true;
}

}  // namespace

bool parse_request(const std::string& body, Endpoint endpoint, GenerationRequest* out, ApiError* err) {
  const json o = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (o.is_discarded()) {
    *err = invalid_request("the request body is not valid JSON", "", "invalid_json");
    return false;
  }
  if (!o.is_object()) {
    *err = invalid_request("the request body must be a JSON object", "", "invalid_json");
    return false;
  }
  GenerationRequest r;
  r.endpoint = endpoint;
  if (const json* m = field(o, "model"); m && !m->is_string()) return type_error("model", "a string", err);
  if (endpoint == Endpoint::kChat ? !read_messages(o, &r.messages, err) : !read_prompt(o, &r, err)) {
    return false;
  }
  constexpr int64_t kMaxTokens = 1000000000;
  std::optional<int64_t> n, max_completion;
  std::optional<double> presence, frequency;
  if (!read_integer(o, "max_tokens", 0, kMaxTokens, &r.max_tokens, err) ||
      !read_integer(o, "max_completion_tokens", 0, kMaxTokens, &max_completion, err) ||
      !read_number(o, "temperature", 0.0, 2.0, &r.temperature, err) ||
      !read_number(o, "top_p", 0.0, 1.0, &r.top_p, err) ||
      !read_number(o, "min_p", 0.0, 1.0, &r.min_p, err) ||
      !read_number(o, "repeat_penalty", 0.01, 100.0, &r.repeat_penalty, err) ||
      !read_integer(o, "top_k", 0, INT32_MAX, &r.top_k, err) ||
      // Accepted for compatibility, no effect: the sampler has no such penalties.
      !read_number(o, "presence_penalty", -2.0, 2.0, &presence, err) ||
      !read_number(o, "frequency_penalty", -2.0, 2.0, &frequency, err) ||
      !read_integer(o, "n", 1, 1, &n, err) || !read_seed(o, &r.seed, err) || !read_stop(o, &r.stop, err) ||
      !read_bool(o, "stream", &r.stream, err) || !read_bool(o, "ignore_eos", &r.ignore_eos, err)) {
    return false;
  }
  if (!r.max_tokens) r.max_tokens = max_completion;
  if (const json* so = field(o, "stream_options")) {
    if (!so->is_object()) return type_error("stream_options", "an object", err);
    if (!read_bool(*so, "include_usage", &r.include_usage, err)) return false;
  }
  *out = std::move(r);
  return true;
}

}  // namespace cli::server
