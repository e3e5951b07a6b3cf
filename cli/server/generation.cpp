#include "cli/server/generation.h"

#include <algorithm>
#include <cctype>

namespace cli::server {
namespace {

struct TokenSink {
  const GenerationJob* job = nullptr;
  TextStream* text = nullptr;
  GenerationEnd end = GenerationEnd::kFinished;
  bool stopped = false;  // end-of-generation token or stop string
  std::string error;
};

// Called by edgellm_generate for every sampled token; non-zero stops it.
int on_token(edgellm_token token, const char* piece, size_t len, void* user) {
  auto* s = static_cast<TokenSink*>(user);
  const GenerationJob& job = *s->job;
  try {
    if (!job.request->ignore_eos && edgellm_model_is_eog(job.model, token)) {
      s->stopped = true;
      return 1;
    }
    if (s->text->add(piece, len)) s->stopped = true;
    if (job.emit) {
      const std::string ready = s->text->take_ready();
      if (!ready.empty() && !job.emit(ready)) {
        s->end = GenerationEnd::kClientGone;
        return 1;
      }
    }
    if (s->stopped) return 1;
    if (job.client_gone && job.client_gone()) {
      s->end = GenerationEnd::kClientGone;
      return 1;
    }
    if (job.shutting_down && job.shutting_down()) {
      s->end = GenerationEnd::kShutdown;
      return 1;
    }
    return 0;
  } catch (const std::exception& e) {  // e.g. out of memory while streaming
    s->end = GenerationEnd::kFailed;
    s->error = e.what();
    return 1;
  }
}

GenerationResult failed(const std::string& what, GenerationResult r) {
  r.end = GenerationEnd::kFailed;
  r.error = what + ": " + edgellm_last_error();
  return r;
}

}  // namespace

int32_t fit_max_tokens(const GenerationRequest& req, int32_t n_prompt, int32_t n_ctx) {
  // The last sampled token is never evaluated, so n_ctx - n_prompt + 1 fit.
  const int64_t room = static_cast<int64_t>(n_ctx) - n_prompt + 1;
  const int64_t wanted = req.max_tokens ? *req.max_tokens : req.endpoint == Endpoint::kChat ? room : 16;
  return static_cast<int32_t>(std::max<int64_t>(0, std::min(wanted, room)));
}

edgellm_sampling_params sampling_params(const GenerationRequest& q, uint64_t seed) {
  edgellm_sampling_params sp;
  edgellm_sampling_default_params(&sp);
  if (q.temperature) sp.temperature = static_cast<float>(*q.temperature);
  if (q.top_p) sp.top_p = static_cast<float>(*q.top_p);
  if (q.min_p) sp.min_p = static_cast<float>(*q.min_p);
  if (q.top_k) sp.top_k = static_cast<int32_t>(*q.top_k);
  if (q.repeat_penalty) sp.repeat_penalty = static_cast<float>(*q.repeat_penalty);
  sp.seed = seed;
  return sp;
}

bool check_sampling(const GenerationRequest& req, ApiError* err) {
  const edgellm_sampling_params sp = sampling_params(req, 0);
  if (edgellm_sampling_check(&sp) == EDGELLM_OK) return true;
  const std::string message = edgellm_last_error();
  size_t n = 0;
  while (n < message.size() && (std::islower(static_cast<unsigned char>(message[n])) || message[n] == '_')) ++n;
  *err = invalid_request(message, message.substr(0, n), "invalid_value");
  return false;
}

GenerationResult run_generation(const GenerationJob& job, TextStream* text) {
  GenerationResult r;
  const std::vector<edgellm_token>& prompt = *job.prompt;
  r.usage.prompt_tokens = static_cast<int32_t>(prompt.size());
  // The prompt in batches, so a client that leaves during a long prompt is
  // noticed before the whole prompt is evaluated.
  for (size_t done = 0; done < prompt.size();) {
    if (job.client_gone && job.client_gone()) {
      r.end = GenerationEnd::kClientGone;
      return r;
    }
    if (job.shutting_down && job.shutting_down()) {
      r.end = GenerationEnd::kShutdown;
      return r;
    }
    const size_t n = std::min(prompt.size() - done, static_cast<size_t>(std::max(job.n_batch, 1)));
    if (edgellm_evaluate(job.ctx, prompt.data() + done, n, 0) != EDGELLM_OK) return failed("prompt evaluation failed", r);
    done += n;
  }

  TokenSink sink;
  sink.job = &job;
  sink.text = text;
  if (job.max_tokens > 0) {
    edgellm_generate_params gp;
    edgellm_generate_default_params(&gp);
    gp.max_tokens = job.max_tokens;
    gp.ignore_eos = job.request->ignore_eos ? 1 : 0;
    gp.sampling = sampling_params(*job.request, job.seed);
    gp.callback = on_token;
    gp.user_data = &sink;
    edgellm_generate_stats stats{};
    stats.struct_size = sizeof stats;
    // The prompt is in the cache already: generation continues from it.
    const edgellm_status st = edgellm_generate(job.ctx, nullptr, 0, &gp, nullptr, 0, &stats);
    r.usage.completion_tokens = stats.n_generated;
    if (st != EDGELLM_OK && !(st == EDGELLM_ERR_CONTEXT_FULL && stats.n_generated > 0)) {
      return failed("generation failed", r);
    }
  }
  r.end = sink.end;
  if (sink.end == GenerationEnd::kFailed) r.error = sink.error;
  if (sink.end != GenerationEnd::kFinished) return r;
  if (text->finish()) sink.stopped = true;
  r.finish_reason = sink.stopped ? "stop" : "length";
  return r;
}

}  // namespace cli::server
