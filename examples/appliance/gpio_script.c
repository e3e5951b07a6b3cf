/* Scripted GPIO test double. The script is a text file of lines
     step MS          virtual milliseconds each zero-timeout poll costs
                      (the daemon polls once per generated token)
     TIME press       the button goes down at virtual time TIME (ms)
     TIME release     the button goes up
     TIME term        the process raises SIGTERM at that time
   with '#' comments and non-decreasing times. The clock is virtual: a wait
   jumps straight to the next scripted event, so runs are deterministic and
   take no wall time. Once the script is exhausted, waits sleep for real (a
   signal ends them), so the daemon idles until it is stopped. Every LED
   change, pattern marker and delivered edge goes to the log as
   "TIME led 0|1", "TIME pattern NAME", "TIME button 0|1". */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gpio.h"

enum { EV_PRESS, EV_RELEASE, EV_TERM };
enum { MAX_EVENTS = 256 };

typedef struct script_impl {
  int64_t now, step;
  int level;
  int n, next;
  int64_t when[MAX_EVENTS];
  int kind[MAX_EVENTS];
  FILE* log;
} script_impl;

static void logf_line(script_impl* s, const char* what, const char* arg) {
  if (!s->log) return;
  fprintf(s->log, "%lld %s %s\n", (long long)s->now, what, arg);
  fflush(s->log);
}

static int64_t sc_now_ms(gpio_dev* dev) { return ((script_impl*)dev->impl)->now; }

static int sc_wait_edge(gpio_dev* dev, int timeout_ms, int* pressed) {
  script_impl* s = dev->impl;
  int64_t target = s->now + (timeout_ms > 0 ? timeout_ms : s->step);
  if (s->next < s->n && s->when[s->next] <= target) {
    int i = s->next++;
    if (s->when[i] > s->now) s->now = s->when[i];
    if (s->kind[i] == EV_TERM) {
      logf_line(s, "signal", "TERM");
      raise(SIGTERM);
      return 0;
    }
    s->level = s->kind[i] == EV_PRESS;
    *pressed = s->level;
    logf_line(s, "button", s->level ? "1" : "0");
    return 1;
  }
  if (s->next >= s->n && timeout_ms > 0) {
    struct timespec ts = {timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000L};
    nanosleep(&ts, NULL); /* a signal ends it early */
  }
  s->now = target;
  return 0;
}

static int sc_read_button(gpio_dev* dev) { return ((script_impl*)dev->impl)->level; }

static int sc_set_led(gpio_dev* dev, int on) {
  logf_line(dev->impl, "led", on ? "1" : "0");
  return 0;
}

static void sc_note(gpio_dev* dev, const char* text) { logf_line(dev->impl, "pattern", text); }

static void sc_close(gpio_dev* dev) {
  script_impl* s = dev->impl;
  if (!s) return;
  if (s->log) fclose(s->log);
  free(s);
  dev->impl = NULL;
}

static const gpio_ops sc_ops = {sc_now_ms, sc_wait_edge, sc_read_button, sc_set_led, sc_note,
                                sc_close};

static int parse(gpio_dev* dev, script_impl* s, FILE* f, const char* path) {
  char line[256];
  int lineno = 0;
  while (fgets(line, sizeof line, f)) {
    ++lineno;
    char* hash = strchr(line, '#');
    if (hash) *hash = '\0';
    char word[32];
    long long t;
    char extra;
    if (sscanf(line, " %31s", word) != 1) continue; /* blank */
    if (strcmp(word, "step") == 0) {
      if (sscanf(line, " step %lld %c", &t, &extra) != 1 || t < 0) goto bad;
      s->step = t;
      continue;
    }
    if (sscanf(line, " %lld %31s %c", &t, word, &extra) != 2 || t < 0) goto bad;
    if (s->n == MAX_EVENTS) {
      snprintf(dev->error, sizeof dev->error, "GPIO script %s:%d: more than %d events", path,
               lineno, MAX_EVENTS);
      return -1;
    }
    if (s->n > 0 && t < s->when[s->n - 1]) {
      snprintf(dev->error, sizeof dev->error, "GPIO script %s:%d: time %lld goes backwards", path,
               lineno, t);
      return -1;
    }
    int kind;
    if (strcmp(word, "press") == 0) kind = EV_PRESS;
    else if (strcmp(word, "release") == 0) kind = EV_RELEASE;
    else if (strcmp(word, "term") == 0) kind = EV_TERM;
    else goto bad;
    s->when[s->n] = t;
    s->kind[s->n++] = kind;
    continue;
  bad:
    snprintf(dev->error, sizeof dev->error,
             "GPIO script %s:%d: expected 'step MS' or 'TIME press|release|term'", path, lineno);
    return -1;
  }
  return 0;
}

int gpio_open_script(const char* script_path, const char* led_log_path, gpio_dev* dev) {
  memset(dev, 0, sizeof *dev);
  script_impl* s = calloc(1, sizeof *s);
  if (!s) {
    snprintf(dev->error, sizeof dev->error, "out of memory");
    return -1;
  }
  dev->impl = s;
  dev->ops = &sc_ops;
  FILE* f = fopen(script_path, "r");
  if (!f) {
    snprintf(dev->error, sizeof dev->error, "cannot open GPIO script %s: %s", script_path,
             strerror(errno));
    sc_close(dev);
    return -1;
  }
  int r = parse(dev, s, f, script_path);
  fclose(f);
  if (r == 0 && led_log_path) {
    s->log = fopen(led_log_path, "w");
    if (!s->log) {
      snprintf(dev->error, sizeof dev->error, "cannot write LED log %s: %s", led_log_path,
               strerror(errno));
      r = -1;
    }
  }
  if (r != 0) sc_close(dev);
  return r;
}
