#include "debounce.h"

void debounce_init(debounce* d, int window_ms, int level) {
  d->window_ms = window_ms < 0 ? 0 : window_ms;
  d->stable = d->raw = level ? 1 : 0;
  d->last_edge = 0;
}

void debounce_edge(debounce* d, int level, int64_t now) {
  d->raw = level ? 1 : 0;
  d->last_edge = now;
}

int64_t debounce_deadline(const debounce* d) {
  return d->raw == d->stable ? -1 : d->last_edge + d->window_ms;
}

int debounce_poll(debounce* d, int64_t now) {
  if (d->raw == d->stable || now < d->last_edge + d->window_ms) return 0;
  d->stable = d->raw;
  return d->stable ? 1 : -1;
}
