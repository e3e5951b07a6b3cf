/* LED blink patterns as data (alternating lit/dark durations, starting lit,
   repeated) and a player that a main-loop timer drives: led_tick() toggles
   the LED when a duration has elapsed and says when the next toggle is due. */
#ifndef APPLIANCE_LED_PATTERN_H
#define APPLIANCE_LED_PATTERN_H

#include <stdint.h>

#include "gpio.h"

typedef struct led_pattern {
  const char* name;
  int n;              /* durations, even */
  const int* ms;      /* lit, dark, lit, dark, ... */
} led_pattern;

extern const led_pattern LED_IDLE;  /* slow heartbeat: 100 ms lit every 2 s */
extern const led_pattern LED_BUSY;  /* fast even blink: 100 / 100 ms */
extern const led_pattern LED_ERROR; /* three quick flashes, then a pause */

typedef struct led_player {
  gpio_dev* dev;
  const led_pattern* pattern;
  int index;     /* duration being shown */
  int64_t next;  /* time of the next toggle */
} led_player;

/* Starts `pattern` from its first (lit) step at time now; restarting the
   pattern already shown does nothing. Returns 0 or -1 (dev->error). */
int led_show(led_player* p, gpio_dev* dev, const led_pattern* pattern, int64_t now);
/* Toggles as many steps as have elapsed by now. Returns 0 or -1. */
int led_tick(led_player* p, int64_t now);

#endif
