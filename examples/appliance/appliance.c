#include "appliance.h"

#include <string.h>

enum { MAX_WAIT_MS = 250 }; /* bounds how long a signal can go unnoticed */

static int64_t now_ms(appliance* a) { return a->gpio->ops->now_ms(a->gpio); }

static int show(appliance* a, const led_pattern* p) {
  if (led_show(&a->led, a->gpio, p, now_ms(a)) == 0) return 0;
  fprintf(stderr, "appliance: %s\n", a->gpio->error);
  return -1;
}

/* Waits up to timeout_ms for one button edge and feeds the debouncer (one
   edge per call keeps the double's virtual clock in step with the loop).
   Returns +1 when a press was accepted, -1 on a GPIO error, else 0. */
static int poll_button(appliance* a, int timeout_ms) {
  int pressed = 0;
  int r = a->gpio->ops->wait_edge(a->gpio, timeout_ms, &pressed);
  if (r < 0) {
    fprintf(stderr, "appliance: %s\n", a->gpio->error);
    return -1;
  }
  if (r == 1) debounce_edge(&a->button, pressed, now_ms(a));
  return debounce_poll(&a->button, now_ms(a)) == 1;
}

static int on_token(edgellm_token token, const char* piece, size_t len, void* user) {
  (void)token;
  appliance* a = user;
  if (fwrite(piece, 1, len, a->out) != len || fflush(a->out) != 0) {
    a->write_failed = 1;
    return 1;
  }
  int pressed = poll_button(a, 0);
  if (pressed < 0 || led_tick(&a->led, now_ms(a)) != 0) return 1;
  if (pressed == 1) a->busy_stop = 1;
  return *a->stop || a->busy_stop;
}

static const char* stop_reason(int stopped_by) {
  switch (stopped_by) {
    case 0: return "max tokens";
    case 1: return "end of generation";
    case 2: return "callback";
    case 3: return "context full";
    default: return "?";
  }
}

/* One generation for one accepted press. Returns the pattern to show next,
   or NULL on a GPIO failure. */
static const led_pattern* generate_once(appliance* a) {
  if (show(a, &LED_BUSY) != 0) return NULL;
  ++a->generations;
  a->busy_stop = 0;
  a->write_failed = 0;
  edgellm_context_reset(a->ctx);
  edgellm_generate_params gp = a->generate;
  gp.callback = on_token;
  gp.user_data = a;
  edgellm_generate_stats st;
  memset(&st, 0, sizeof st);
  st.struct_size = sizeof st;
  edgellm_status s = edgellm_generate(a->ctx, a->prompt, a->n_prompt, &gp, NULL, 0, &st);
  if (!a->write_failed) {
    fputc('\n', a->out);
    if (fflush(a->out) != 0) a->write_failed = 1;
  }
  if (s != EDGELLM_OK) {
    fprintf(stderr, "appliance: generation %d failed: %s: %s\n", a->generations,
            edgellm_status_string(s), edgellm_last_error());
    return &LED_ERROR;
  }
  if (a->write_failed) {
    fprintf(stderr, "appliance: generation %d: writing the output failed\n", a->generations);
    return &LED_ERROR;
  }
  const char* why = *a->stop       ? "signal"
                    : a->busy_stop ? "button"
                                   : stop_reason(st.stopped_by);
  fprintf(stderr, "appliance: generation %d: %d tokens, stopped by %s\n", a->generations,
          st.n_generated, why);
  return &LED_IDLE;
}

int appliance_run(appliance* a) {
  memset(&a->led, 0, sizeof a->led);
  int level = a->gpio->ops->read_button(a->gpio);
  if (level < 0) {
    fprintf(stderr, "appliance: %s\n", a->gpio->error);
    return 1;
  }
  debounce_init(&a->button, a->debounce_ms, level);
  if (show(a, a->ctx ? &LED_IDLE : &LED_ERROR) != 0) return 1;
  fprintf(stderr, "appliance: ready (%s)\n", a->ctx ? "press the button" : "startup failed");
  while (!*a->stop) {
    int64_t now = now_ms(a);
    if (led_tick(&a->led, now) != 0) {
      fprintf(stderr, "appliance: %s\n", a->gpio->error);
      return 1;
    }
    int64_t due = a->led.next;
    int64_t settle = debounce_deadline(&a->button);
    if (settle >= 0 && settle < due) due = settle;
    int64_t wait = due - now;
    if (wait < 0) wait = 0;
    if (wait > MAX_WAIT_MS) wait = MAX_WAIT_MS;
    int pressed = poll_button(a, (int)wait);
    if (pressed < 0) return 1;
    if (pressed == 1 && a->ctx && !*a->stop) {
      const led_pattern* next = generate_once(a);
      if (!next) return 1;
      if (!*a->stop && show(a, next) != 0) return 1; /* stopping: the LED goes dark */
    }
  }
  a->gpio->ops->set_led(a->gpio, 0);
  fprintf(stderr, "appliance: stopped by signal after %d generation(s)\n", a->generations);
  return a->ctx ? 0 : 1;
}
