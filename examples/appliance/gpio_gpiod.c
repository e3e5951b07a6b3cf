/* libgpiod v1.6 backend: the button is requested for both-edge events (with
   the active-low and pull-up flags), the LED as an output. Edges wake a
   ppoll-based wait; a signal interrupts it (EINTR reads as a timeout). */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <gpiod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gpio.h"

typedef struct gpiod_impl {
  struct gpiod_chip* chip;
  struct gpiod_line* button;
  struct gpiod_line* led;
} gpiod_impl;

static int64_t gd_now_ms(gpio_dev* dev) {
  (void)dev;
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int gd_wait_edge(gpio_dev* dev, int timeout_ms, int* pressed) {
  gpiod_impl* g = dev->impl;
  struct timespec ts = {timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000L};
  int r = gpiod_line_event_wait(g->button, &ts);
  if (r == 0 || (r < 0 && errno == EINTR)) return 0;
  struct gpiod_line_event ev;
  if (r < 0 || gpiod_line_event_read(g->button, &ev) < 0) {
    if (errno == EINTR) return 0;
    snprintf(dev->error, sizeof dev->error, "button line: reading an edge event failed: %s",
             strerror(errno));
    return -1;
  }
  /* With the active-low flag the kernel already reports logical edges. */
  *pressed = ev.event_type == GPIOD_LINE_EVENT_RISING_EDGE;
  return 1;
}

static int gd_read_button(gpio_dev* dev) {
  gpiod_impl* g = dev->impl;
  int v = gpiod_line_get_value(g->button);
  if (v < 0) snprintf(dev->error, sizeof dev->error, "button line: %s", strerror(errno));
  return v;
}

static int gd_set_led(gpio_dev* dev, int on) {
  gpiod_impl* g = dev->impl;
  if (gpiod_line_set_value(g->led, on ? 1 : 0) < 0) {
    snprintf(dev->error, sizeof dev->error, "LED line: %s", strerror(errno));
    return -1;
  }
  return 0;
}

static void gd_close(gpio_dev* dev) {
  gpiod_impl* g = dev->impl;
  if (!g) return;
  if (g->led) gpiod_line_set_value(g->led, 0);
  if (g->chip) gpiod_chip_close(g->chip); /* releases the requested lines */
  free(g);
  dev->impl = NULL;
}

static const gpio_ops gd_ops = {gd_now_ms, gd_wait_edge, gd_read_button, gd_set_led, NULL,
                                gd_close};

int gpio_have_gpiod(void) { return 1; }

/* Requests one line; on failure writes a message naming chip, line and role
   (and the current holder for a busy line). */
static struct gpiod_line* request(gpio_dev* dev, const gpio_config* cfg, gpiod_impl* g,
                                  unsigned offset, const char* role, int output) {
  const char* chip = cfg->chip;
  unsigned n = gpiod_chip_num_lines(g->chip);
  if (offset >= n) {
    snprintf(dev->error, sizeof dev->error, "GPIO chip '%s' has lines 0..%u: no %s line %u", chip,
             n ? n - 1 : 0, role, offset);
    return NULL;
  }
  struct gpiod_line* line = gpiod_chip_get_line(g->chip, offset);
  if (!line) {
    snprintf(dev->error, sizeof dev->error, "GPIO chip '%s': %s line %u: %s", chip, role, offset,
             strerror(errno));
    return NULL;
  }
  const char* consumer = cfg->consumer ? cfg->consumer : "edgellm-appliance";
  int r;
  if (output) {
    r = gpiod_line_request_output(line, consumer, 0);
  } else {
    int flags = 0;
    if (cfg->button_active_low) flags |= GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW;
    if (cfg->button_pull_up) flags |= GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP;
    r = gpiod_line_request_both_edges_events_flags(line, consumer, flags);
  }
  if (r < 0) {
    int e = errno;
    if (e == EBUSY) {
      const char* holder = gpiod_line_consumer(line);
      snprintf(dev->error, sizeof dev->error,
               "GPIO chip '%s': %s line %u is busy (held by '%s'; see gpioinfo)", chip, role,
               offset, holder ? holder : "another process");
    } else {
      snprintf(dev->error, sizeof dev->error, "GPIO chip '%s': requesting %s line %u failed: %s",
               chip, role, offset, strerror(e));
    }
    return NULL;
  }
  return line;
}

int gpio_open_gpiod(const gpio_config* cfg, gpio_dev* dev) {
  memset(dev, 0, sizeof *dev);
  if (!cfg->chip || !*cfg->chip) {
    snprintf(dev->error, sizeof dev->error, "no GPIO chip given (--chip)");
    return -1;
  }
  if (cfg->button_line == cfg->led_line) {
    snprintf(dev->error, sizeof dev->error, "button and LED are both line %u", cfg->led_line);
    return -1;
  }
  gpiod_impl* g = calloc(1, sizeof *g);
  if (!g) {
    snprintf(dev->error, sizeof dev->error, "out of memory");
    return -1;
  }
  dev->impl = g;
  dev->ops = &gd_ops;
  g->chip = gpiod_chip_open_lookup(cfg->chip);
  if (!g->chip) {
    int e = errno;
    snprintf(dev->error, sizeof dev->error,
             "cannot open GPIO chip '%s': %s (list chips with gpiodetect; /dev/gpiochip* needs "
             "read/write permission)",
             cfg->chip, e ? strerror(e) : "no such chip");
    gd_close(dev);
    return -1;
  }
  g->button = request(dev, cfg, g, cfg->button_line, "button", 0);
  if (g->button) g->led = request(dev, cfg, g, cfg->led_line, "LED", 1);
  if (!g->button || !g->led) {
    gd_close(dev); /* keeps dev->error */
    return -1;
  }
  return 0;
}
