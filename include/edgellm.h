/*
 * edgellm public C API (C11).
 *
 * Conventions:
 *  - Handles are opaque. Every function that can fail returns an
 *    edgellm_status; on failure edgellm_last_error() returns a message for
 *    the calling thread (valid until that thread's next API call).
 *  - Parameter structs are passed by pointer, filled by the matching
 *    *_default_params() and carry their own size in the first field, so
 *    fields can be appended without breaking callers built against older
 *    headers or written in other languages.
 *  - After edgellm_context_create() returns, evaluation and generation make
 *    no heap allocations.
 *  - Lifetimes: a model stays valid until edgellm_model_free() AND the
 *    edgellm_context_free() of every context created from it: freeing a
 *    model that still has contexts only drops the caller's reference (the
 *    last context's free releases it), so contexts keep working. Using a
 *    handle after its own free is undefined.
 *  - Threads: a model is read-only after loading; any number of threads may
 *    use it (tokenize, create contexts, ...) at once. A context is for one
 *    thread at a time: a call on a context that another call is still using
 *    (another thread, or a token callback calling back into its own
 *    context) fails with EDGELLM_ERR_INVALID_ARGUMENT and changes nothing.
 *    The error text is per thread. Contexts of one model may run in
 *    parallel on different threads.
 */
#ifndef EDGELLM_H
#define EDGELLM_H

#include <stddef.h>
#include <stdint.h>

#if defined(EDGELLM_BUILDING_LIBRARY)
#define EDGELLM_API __attribute__((visibility("default")))
#else
#define EDGELLM_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define EDGELLM_VERSION_MAJOR 0
#define EDGELLM_VERSION_MINOR 1
#define EDGELLM_VERSION_PATCH 0

typedef enum edgellm_status {
  EDGELLM_OK = 0,
  EDGELLM_ERR_INVALID_ARGUMENT = 1, /* NULL handle, bad parameter, bad token id */
  EDGELLM_ERR_IO = 2,               /* file cannot be opened or read */
  EDGELLM_ERR_FORMAT = 3,           /* malformed model file */
  EDGELLM_ERR_UNSUPPORTED = 4,      /* unknown architecture, tensor type, tokenizer */
  EDGELLM_ERR_OUT_OF_MEMORY = 5,    /* allocation failed or arena too small */
  EDGELLM_ERR_CONTEXT_FULL = 6,     /* tokens would exceed n_ctx */
  EDGELLM_ERR_INTERNAL = 7
} edgellm_status;

typedef int32_t edgellm_token;
typedef struct edgellm_model edgellm_model;
typedef struct edgellm_context edgellm_context;

/* ---- library ---- */
EDGELLM_API const char* edgellm_version(void); /* "0.1.0" */
EDGELLM_API const char* edgellm_status_string(edgellm_status status);
/* Message of the last failed call on this thread ("" if none). */
EDGELLM_API const char* edgellm_last_error(void);

/* ---- model ---- */
typedef struct edgellm_model_params {
  size_t struct_size; /* sizeof(edgellm_model_params), set by the default function */
  int use_mmap;       /* 1 (default): map weights zero-copy; 0: read into memory */
  int32_t repack;     /* edgellm_repack: weight repacking at load (default AUTO) */
  int32_t numa_interleave; /* 1: spread the weights the runtime owns (the repacked copy)
                              over every NUMA node, for threads that span nodes; 0
                              (default): first touch, i.e. the loading thread's node */
  int32_t backend;    /* edgellm_backend: where the forward pass runs (default CPU) */
  int32_t vulkan_device; /* Vulkan device index (see edgellm_vulkan_devices); -1 (default):
                            EDGELLM_VULKAN_DEVICE (an index or a name substring) or the best */
} edgellm_model_params;

/* Backends. VULKAN offloads the whole model to a Vulkan device at load
   (LLaMA-family architectures: llama, mistral, qwen2, qwen3, phi3; weights
   F32/F16/Q8_0/Q4_0/Q4_K/Q6_K) and fails with the reason when it cannot;
   a real GPU is preferred, CPU implementations (lavapipe) are used only
   when nothing else exists or when named. AUTO uses a real GPU when one can
   run the model, else the CPU (edgellm_model_backend says why). */
typedef enum edgellm_backend {
  EDGELLM_BACKEND_CPU = 0,
  EDGELLM_BACKEND_VULKAN = 1,
  EDGELLM_BACKEND_AUTO = 2
} edgellm_backend;

/* Weight repacking at load: matmul weights whose type has a kernel over an
   interleaved layout on the kernel path in use are rewritten once into one
   buffer, and the file's pages of those tensors are released, so resident
   memory stays about one copy of the weights. */
typedef enum edgellm_repack {
  EDGELLM_REPACK_AUTO = 0, /* repack where it is faster on this path (default) */
  EDGELLM_REPACK_ON = 1,   /* repack every tensor a repacked kernel exists for */
  EDGELLM_REPACK_OFF = 2   /* keep every weight zero-copy in the mapping */
} edgellm_repack;

EDGELLM_API void edgellm_model_default_params(edgellm_model_params* params);
EDGELLM_API edgellm_status edgellm_model_load(const char* path, const edgellm_model_params* params,
                                              edgellm_model** out_model);
EDGELLM_API void edgellm_model_free(edgellm_model* model);
/* Weights are mapped from the file (use_mmap, the default): if the file is
   truncated or replaced on disk while a model uses it, the next read of a
   vanished page raises SIGBUS and the process dies. This optional handler
   (process-wide; call once, e.g. at start of a server) turns that into a
   one-line message on stderr naming the file, then exit status 135
   (128 + SIGBUS); SIGBUS faults outside model mappings keep their default
   action. use_mmap = 0 reads the file into memory instead, so later changes
   to the file cannot affect the process. EDGELLM_ERR_INTERNAL if sigaction
   fails. */
EDGELLM_API edgellm_status edgellm_install_sigbus_handler(void);

EDGELLM_API int32_t edgellm_model_n_vocab(const edgellm_model* model);
EDGELLM_API int32_t edgellm_model_n_ctx_train(const edgellm_model* model);
EDGELLM_API edgellm_token edgellm_model_bos(const edgellm_model* model); /* -1 if none */
EDGELLM_API edgellm_token edgellm_model_eos(const edgellm_model* model); /* -1 if none */
EDGELLM_API int edgellm_model_is_eog(const edgellm_model* model, edgellm_token token);
/* Writes a NUL-terminated one-line description (architecture, sizes, types)
   into buf; returns the length it needed (excluding NUL), however long the
   model's name. The name (name="...") is escaped: quotes, backslashes,
   control characters and invalid UTF-8 appear as \xNN. */
EDGELLM_API size_t edgellm_model_describe(const edgellm_model* model, char* buf, size_t size);
/* Metadata value rendered as text; returns the needed length or -1 if absent. */
EDGELLM_API int64_t edgellm_model_meta(const edgellm_model* model, const char* key, char* buf,
                                       size_t size);

/* ---- tokenizer ---- */
/* Tokenizes text. add_special: BOS/EOS as the model's metadata says;
   parse_special: control-token text in the input becomes that token.
   Writes up to capacity tokens; *n_tokens receives the full count. When the
   count exceeds capacity, returns EDGELLM_ERR_INVALID_ARGUMENT with nothing
   partial guaranteed: call again with a larger buffer. */
EDGELLM_API edgellm_status edgellm_tokenize(const edgellm_model* model, const char* text,
                                            size_t text_len, int add_special, int parse_special,
                                            edgellm_token* tokens, size_t capacity,
                                            size_t* n_tokens);
/* Bytes of one token (not NUL-terminated); returns the byte count or
   -(needed) when size is too small; INT32_MIN for an invalid token. */
EDGELLM_API int32_t edgellm_token_to_piece(const edgellm_model* model, edgellm_token token,
                                           char* buf, int32_t size, int render_special);
/* Decodes a token sequence into NUL-terminated text; *length receives the
   full byte length (excluding NUL). Truncation is reported as
   EDGELLM_ERR_INVALID_ARGUMENT. */
EDGELLM_API edgellm_status edgellm_detokenize(const edgellm_model* model,
                                              const edgellm_token* tokens, size_t n_tokens,
                                              int render_special, char* text, size_t capacity,
                                              size_t* length);

/* ---- context ---- */
typedef struct edgellm_context_params {
  size_t struct_size; /* sizeof(edgellm_context_params) */
  int32_t n_ctx;      /* max tokens in the KV cache; 0 = model's training context */
  int32_t n_batch;    /* max tokens per evaluate call (default 512) */
  int32_t n_threads;  /* 0 = automatic: one per core of the fastest CPU kind (see cpus) */
  int32_t logits_all; /* 1: keep logits of every batch position (n_batch x n_vocab floats) */
  int32_t kv_type;    /* edgellm_kv_type; default EDGELLM_KV_F16 */
  void* arena;        /* caller-supplied memory for the whole context (NULL: the runtime allocates) */
  size_t arena_size;  /* bytes at arena; too small fails with the bytes needed */
  int32_t mlock;      /* 1: lock the runtime-allocated arena in RAM (best effort, warns) */
  const char* cpus;   /* CPUs for the threads as a list, e.g. "0-3,6" (NULL: automatic, i.e.
                         one thread per physical core of the fastest CPU kind, within one
                         NUMA node); with n_threads > 0, the first n_threads of them */
  int32_t pin_threads; /* 1 (default): pin each thread to its CPU (a refusal only warns, see
                          edgellm_context_threads); 0: leave placement to the OS */
} edgellm_context_params;

typedef enum edgellm_kv_type {
  EDGELLM_KV_F16 = 0, /* default */
  EDGELLM_KV_F32 = 1,
  EDGELLM_KV_Q8_0 = 2 /* needs head_dim % 32 == 0 */
} edgellm_kv_type;

/* The memory plan of a context, known before it exists. */
typedef struct edgellm_plan_info {
  size_t struct_size;
  size_t arena_bytes;       /* everything the context needs: pass this much as params->arena */
  size_t kv_bytes;          /* KV cache (part of the arena) */
  size_t activation_bytes;  /* planned activations and scratch (part of the arena) */
  size_t lower_bound_bytes; /* peak of simultaneously live activation bytes */
  size_t weight_bytes;      /* weight memory: tensor data still used from the file (mapped or
                               read) plus repacked_bytes */
  int32_t n_buffers;        /* activation buffers in the plan */
  size_t repacked_bytes;    /* weights repacked at load (part of weight_bytes) */
  size_t device_bytes;      /* Vulkan backend: device memory of the context (activations, KV
                               cache, tokens/logits buffers); 0 on the CPU. weight_bytes is then
                               the device memory of the weights, and arena_bytes the host
                               memory (the logits the caller reads). */
} edgellm_plan_info;

/* Computes the plan for params without allocating the arena. */
EDGELLM_API edgellm_status edgellm_context_plan(const edgellm_model* model,
                                                const edgellm_context_params* params,
                                                edgellm_plan_info* out);

EDGELLM_API void edgellm_context_default_params(edgellm_context_params* params);
EDGELLM_API edgellm_status edgellm_context_create(edgellm_model* model,
                                                  const edgellm_context_params* params,
                                                  edgellm_context** out_ctx);
EDGELLM_API void edgellm_context_free(edgellm_context* ctx);
EDGELLM_API int32_t edgellm_context_n_ctx(const edgellm_context* ctx);
/* Tokens currently in the KV cache. */
EDGELLM_API int32_t edgellm_context_n_past(const edgellm_context* ctx);
/* Bytes of the context's planned memory (arena incl. KV cache; on the Vulkan
   backend the host arena plus the context's device memory). */
EDGELLM_API size_t edgellm_context_memory_bytes(const edgellm_context* ctx);
/* Drops the KV cache contents (n_past = 0). */
EDGELLM_API void edgellm_context_reset(edgellm_context* ctx);
/* Keeps only the first n_keep tokens of the KV cache (n_keep <= n_past), so
   a conversation can continue from a shared prefix. Models with recurrent
   state (LFM2) can only keep everything or nothing:
   EDGELLM_ERR_UNSUPPORTED otherwise. */
EDGELLM_API edgellm_status edgellm_context_truncate(edgellm_context* ctx, int32_t n_keep);

/* Evaluates tokens at positions n_past.. (split into n_batch chunks) and
   appends them to the KV cache. all_logits != 0 keeps the logits of every
   position of the last call (needs n_tokens <= n_batch), otherwise only the
   last position's. */
EDGELLM_API edgellm_status edgellm_evaluate(edgellm_context* ctx, const edgellm_token* tokens,
                                            size_t n_tokens, int all_logits);
/* Logits of position i of the last evaluate call (i = -1: the last one);
   NULL on misuse (edgellm_last_error says why). Valid until the next call. */
EDGELLM_API const float* edgellm_get_logits(edgellm_context* ctx, int32_t i);

/* ---- generation ---- */
typedef struct edgellm_sampling_params {
  size_t struct_size;
  float temperature; /* <= 0: greedy; must be finite */
  int32_t top_k;     /* <= 0: off */
  float top_p;       /* >= 1: off; <= 0: the most likely token only; must be finite */
  float min_p;       /* <= 0: off; >= 1: the most likely token(s) only; must be finite */
  float repeat_penalty; /* 1: off; must be finite and > 0 */
  int32_t repeat_last_n; /* tokens the penalty looks back over; -1: the whole history */
  uint64_t seed;
} edgellm_sampling_params;

EDGELLM_API void edgellm_sampling_default_params(edgellm_sampling_params* params);
/* Checks sampling parameters the way edgellm_generate does, without a
   context: EDGELLM_OK, or EDGELLM_ERR_INVALID_ARGUMENT with an
   edgellm_last_error text that starts with the offending field's name
   (e.g. "top_p must be finite (got nan)"). */
EDGELLM_API edgellm_status edgellm_sampling_check(const edgellm_sampling_params* params);

/* Called for every generated token with its bytes (may be a partial UTF-8
   sequence). Return non-zero to stop generation. */
typedef int (*edgellm_token_callback)(edgellm_token token, const char* piece, size_t piece_len,
                                      void* user_data);

typedef struct edgellm_generate_params {
  size_t struct_size;
  int32_t max_tokens;     /* tokens to generate */
  int ignore_eos;         /* 1: do not stop at end-of-generation tokens */
  edgellm_sampling_params sampling;
  edgellm_token_callback callback; /* may be NULL */
  void* user_data;
} edgellm_generate_params;

typedef struct edgellm_generate_stats {
  size_t struct_size;
  int32_t n_prompt;
  int32_t n_generated;
  double prompt_ms;
  double generate_ms;
  int stopped_by; /* 0: max_tokens, 1: end-of-generation token, 2: callback, 3: context full */
} edgellm_generate_stats;

EDGELLM_API void edgellm_generate_default_params(edgellm_generate_params* params);
/* Evaluates the prompt tokens (after what is already in the cache), then
   samples up to max_tokens tokens. out_tokens (may be NULL) receives up to
   capacity generated ids. stats may be NULL. */
EDGELLM_API edgellm_status edgellm_generate(edgellm_context* ctx, const edgellm_token* prompt,
                                            size_t n_prompt, const edgellm_generate_params* params,
                                            edgellm_token* out_tokens, size_t capacity,
                                            edgellm_generate_stats* stats);

/* ---- synthetic models ---- */
/* Writes a GGUF model with deterministic, well-scaled random weights, the
   tensor shapes and metadata of a real model and a synthetic vocabulary of
   its size and style, so demos, tests and benchmarks need no download.
   preset: "tiny" (llama arch, 4 layers, n_embd 128), "tinyllama-1.1b",
   "llama-3.2-1b", "qwen2.5-0.5b", "qwen3-0.6b", "smollm2-135m",
   "smollm2-135m-32k" (its layers, 32000-token vocabulary), "gemma-3-1b",
   "lfm2-350m" (and small "tiny-llama3", "tiny-qwen2", "tiny-qwen3",
   "tiny-gemma3", "tiny-lfm2"); type: as for edgellm_quantize_model. */
EDGELLM_API edgellm_status edgellm_synthesize_model(const char* preset, const char* type,
                                                    uint64_t seed, const char* path);

/* Progress of a long file operation: bytes written so far of the total, and
   the name of the tensor just written. */
typedef void (*edgellm_progress_fn)(uint64_t done, uint64_t total, const char* what, void* user);

/* edgellm_synthesize_model with a progress callback (may be NULL). The file
   is streamed one tensor at a time. */
EDGELLM_API edgellm_status edgellm_synthesize_model_ex(const char* preset, const char* type,
                                                       uint64_t seed, const char* path,
                                                       edgellm_progress_fn progress, void* user);

/* ---- benchmarking ---- */
/* Bytes of weights one decode step reads: every weight matrix, the token
   embedding only when it is also the output head (the memory-bandwidth
   roofline is this divided by the read bandwidth). 0 for NULL. */
EDGELLM_API uint64_t edgellm_model_weight_bytes_per_token(const edgellm_model* model);

/* ---- quantization ---- */
/* Converts a GGUF model with F32/F16/BF16 weights into `type`: "f32", "f16",
   "bf16", "q8_0", "q4_0", "q4_1", "q5_0", "q5_1", "q2_k", "q3_k", "q4_k",
   "q5_k", "q6_k" (pure: every weight matrix in that type, except where its
   row length does not fit), or llama.cpp's per-tensor mixes "q3_k_m",
   "q4_k_m", "q5_k_m" (and its rules for the others: output head in Q6_K,
   ...). 1-D tensors are copied. Streams one tensor at a time; n_threads <= 0
   uses every core; progress may be NULL. */
EDGELLM_API edgellm_status edgellm_quantize_model(const char* in_path, const char* out_path,
                                                  const char* type, int32_t n_threads,
                                                  edgellm_progress_fn progress, void* user);

/* ---- CPU and kernels ---- */
/* Writes a NUL-terminated multi-line report into buf: CPU features detected,
   the kernel path in use (EDGELLM_ISA=ref|neon|dotprod|i8mm|avx2|avx512
   forces one; a path the CPU lacks makes model loading fail) and the kernel
   each weight type runs. Returns the length it needed (excluding NUL). */
EDGELLM_API size_t edgellm_cpu_info(char* buf, size_t size);

/* ---- backends ---- */
/* Writes a NUL-terminated text: "cpu", or "vulkan: <device name>", and on a
   second line the reason an AUTO backend fell back to the CPU. Returns the
   length it needed (excluding NUL). */
EDGELLM_API size_t edgellm_model_backend(const edgellm_model* model, char* buf, size_t size);
/* Writes a NUL-terminated list of the Vulkan devices (index, name, type,
   API version, limits the backend uses), or a line saying why there are
   none (no driver, or a build without Vulkan). Returns the length needed. */
EDGELLM_API size_t edgellm_vulkan_devices(char* buf, size_t size);

/* ---- threads ---- */
/* Writes a NUL-terminated description of the context's threads (count,
   CPUs, work splitting, why these CPUs) and, on a line starting with
   "warning:", any pinning the system refused (those threads run unpinned).
   Returns the length it needed (excluding NUL). */
EDGELLM_API size_t edgellm_context_threads(const edgellm_context* ctx, char* buf, size_t size);
/* Describes a CPU topology (this machine, or the hwloc XML export at
   `topology` when not NULL) and the threads a context would get for
   n_threads / cpus (as in edgellm_context_params). Writes NUL-terminated
   text into buf (truncated to size); *length (may be NULL) receives the
   full length. Fails on a bad CPU list or an unreadable topology file. */
EDGELLM_API edgellm_status edgellm_describe_threads(const char* topology, int32_t n_threads,
                                                    const char* cpus, char* buf, size_t size,
                                                    size_t* length);

/* ---- chat templates ---- */
/* Renders a conversation as prompt text in a chat template family's format.
   family: NULL recognises the family from the model's tokenizer.chat_template
   (EDGELLM_ERR_UNSUPPORTED when the model has none or it is not recognised);
   otherwise a family name: "chatml" (Qwen, SmolLM, LFM2), "llama3", "llama2",
   "mistral", "gemma" or "phi3" (aliases such as "qwen2" or "gemma3" work
   too). model may be NULL when family is given. roles[i] / contents[i] are
   NUL-terminated ("system", "user", "assistant"). add_generation_prompt != 0
   appends the assistant header. The text has no BOS: tokenize it with
   add_special = 1 and parse_special = 1. Writes NUL-terminated text into buf
   (when size > 0); *length (may be NULL) receives the full length. A text
   longer than size - 1 is reported as EDGELLM_ERR_INVALID_ARGUMENT. */
EDGELLM_API edgellm_status edgellm_chat_apply(const edgellm_model* model, const char* family,
                                              const char* const* roles,
                                              const char* const* contents, size_t n_messages,
                                              int add_generation_prompt, char* buf, size_t size,
                                              size_t* length);
/* Canonical name of the family the model's chat template is recognised as
   (a static string), or NULL when there is no template or it is not
   recognised (edgellm_last_error says why). */
EDGELLM_API const char* edgellm_chat_family(const edgellm_model* model);

/* ---- profile mode ---- */
/* Reads the current values of up to max_values counters (e.g. perf events
   summed over the process's threads) into values and returns how many. It
   is called on the evaluating thread before and after every op, so it must
   be quick and must not allocate. */
typedef size_t (*edgellm_counter_reader)(double* values, size_t max_values, void* user_data);

#define EDGELLM_PROFILE_MAX_COUNTERS 8

/* Profile mode on (enable != 0) or off. While on, every op of
   edgellm_evaluate / edgellm_generate is timed — and counted through
   reader, when not NULL — per op kind and weight type, into a table
   allocated here (the hot path still allocates nothing). Ops are timed on
   the calling thread around the whole parallel op. Turning it on resets the
   table. */
EDGELLM_API edgellm_status edgellm_context_set_profiling(edgellm_context* ctx, int enable,
                                                         edgellm_counter_reader reader,
                                                         void* user_data);

typedef struct edgellm_profile_entry {
  const char* op;   /* "matmul", "attention", "norm", "rope", "embed", "kv_store",
                       "activation", "add", "short_conv", "output_softcap", "sample" */
  const char* type; /* weight type for matmul and embed ("q4_0", ...), else "f32" */
  uint64_t calls;
  double ms;        /* wall time summed over calls */
  size_t n_counters;
  double counters[EDGELLM_PROFILE_MAX_COUNTERS]; /* summed deltas, in the reader's order */
} edgellm_profile_entry;

/* Copies the entries that were called, most time first, into out (up to
   capacity; out may be NULL with capacity 0) and returns how many there
   are; 0 when profile mode is off. */
EDGELLM_API size_t edgellm_context_profile(const edgellm_context* ctx, edgellm_profile_entry* out,
                                           size_t capacity);
/* Zeroes the table (profile mode stays on). */
EDGELLM_API void edgellm_context_profile_reset(edgellm_context* ctx);

#ifdef __cplusplus
}
#endif

#endif /* EDGELLM_H */
