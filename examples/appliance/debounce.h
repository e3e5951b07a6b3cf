/* Button debouncing: a raw level change is accepted once the line has kept
   that level for the debounce window with no further edge, so a burst of
   contact bounces within the window counts as one press (or release). */
#ifndef APPLIANCE_DEBOUNCE_H
#define APPLIANCE_DEBOUNCE_H

#include <stdint.h>

typedef struct debounce {
  int window_ms;
  int stable;       /* accepted level: 1 pressed */
  int raw;          /* level after the last edge */
  int64_t last_edge; /* time of the last edge */
} debounce;

void debounce_init(debounce* d, int window_ms, int level);
/* Records an edge to `level` seen at time now. */
void debounce_edge(debounce* d, int level, int64_t now);
/* Returns +1 when a press is accepted at time now, -1 for a release, 0 when
   nothing changed. */
int debounce_poll(debounce* d, int64_t now);
/* Time at which a pending change will be accepted, or -1 when none is. */
int64_t debounce_deadline(const debounce* d);

#endif
