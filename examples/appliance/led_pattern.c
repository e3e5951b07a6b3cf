#include "led_pattern.h"

#include <stddef.h>

static const int idle_ms[] = {100, 1900};
static const int busy_ms[] = {100, 100};
static const int error_ms[] = {60, 140, 60, 140, 60, 1040};

const led_pattern LED_IDLE = {"idle", 2, idle_ms};
const led_pattern LED_BUSY = {"busy", 2, busy_ms};
const led_pattern LED_ERROR = {"error", 6, error_ms};

int led_show(led_player* p, gpio_dev* dev, const led_pattern* pattern, int64_t now) {
  if (p->pattern == pattern && p->dev == dev) return 0;
  p->dev = dev;
  p->pattern = pattern;
  p->index = 0;
  p->next = now + pattern->ms[0];
  if (dev->ops->note) dev->ops->note(dev, pattern->name);
  return dev->ops->set_led(dev, 1);
}

int led_tick(led_player* p, int64_t now) {
  if (!p->pattern) return 0;
  /* After a long stall (a long prompt evaluation) skip whole cycles rather
     than flicker through them. */
  int cycle = 0;
  for (int i = 0; i < p->pattern->n; ++i) cycle += p->pattern->ms[i];
  if (now - p->next >= cycle) p->next += (now - p->next) / cycle * cycle;
  while (now >= p->next) {
    p->index = (p->index + 1) % p->pattern->n;
    p->next += p->pattern->ms[p->index];
    /* even steps are lit */
    if (p->dev->ops->set_led(p->dev, p->index % 2 == 0) != 0) return -1;
  }
  return 0;
}
