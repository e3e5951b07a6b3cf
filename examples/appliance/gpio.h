/* The appliance's GPIO layer: one push-button input line and one LED output
   line behind a small interface, so the daemon's logic does not depend on
   the hardware. Two implementations: libgpiod v1.6 (gpio_gpiod.c) and a
   scripted test double (gpio_script.c) that plays timed button edges from a
   file on a virtual clock and records every LED change to a log. */
#ifndef APPLIANCE_GPIO_H
#define APPLIANCE_GPIO_H

#include <stddef.h>
#include <stdint.h>

typedef struct gpio_dev gpio_dev;

typedef struct gpio_ops {
  /* Milliseconds on the backend's monotonic clock (the double's is virtual). */
  int64_t (*now_ms)(gpio_dev* dev);
  /* Waits up to timeout_ms (0: just polls) for one button edge. Returns 1
     with *pressed set to the line's logical level after the edge (1 =
     pressed), 0 on timeout or an interrupting signal, -1 on error (message in
     dev->error). */
  int (*wait_edge)(gpio_dev* dev, int timeout_ms, int* pressed);
  /* Logical button level now: 1 pressed, 0 released, -1 error. */
  int (*read_button)(gpio_dev* dev);
  /* Drives the LED: 1 lit, 0 dark. Returns 0, or -1 on error. */
  int (*set_led)(gpio_dev* dev, int on);
  /* Free-text marker (the LED pattern now shown): the double logs it next to
     the LED changes, the hardware ignores it. May be NULL. */
  void (*note)(gpio_dev* dev, const char* text);
  void (*close)(gpio_dev* dev);
} gpio_ops;

struct gpio_dev {
  const gpio_ops* ops;
  void* impl;
  char error[256];
};

typedef struct gpio_config {
  const char* chip;      /* "gpiochip4", "/dev/gpiochip0", "pinctrl-rp1", "4" */
  unsigned button_line;  /* line offset on the chip */
  unsigned led_line;
  int button_active_low; /* 1 (default): pressed pulls the line to ground */
  int button_pull_up;    /* 1 (default): enable the internal pull-up bias */
  const char* consumer;  /* label shown by gpioinfo */
} gpio_config;

/* Each opener returns 0 and fills *dev, or -1 with a message in dev->error
   that names the chip or file. */
int gpio_open_gpiod(const gpio_config* cfg, gpio_dev* dev);
int gpio_open_script(const char* script_path, const char* led_log_path, gpio_dev* dev);
/* 1 when this build has the libgpiod backend. */
int gpio_have_gpiod(void);

#endif
