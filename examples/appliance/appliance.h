/* The appliance's state machine and main loop:
     idle  --debounced press-->  busy  --done-->  idle
                                       --failed-->  error  --press-->  busy
     fatal (startup failed): error pattern until a signal stops the daemon.
   The loop waits for a button edge with a timeout that ends at the next LED
   toggle or debounce deadline; during generation the token callback polls
   the button (a press stops the generation), ticks the LED and checks the
   stop flag that SIGTERM/SIGINT set. */
#ifndef APPLIANCE_APPLIANCE_H
#define APPLIANCE_APPLIANCE_H

#include <signal.h>
#include <stdio.h>

#include "debounce.h"
#include "edgellm.h"
#include "gpio.h"
#include "led_pattern.h"

typedef struct appliance {
  /* set by the caller */
  gpio_dev* gpio;
  edgellm_context* ctx; /* NULL when startup failed: the daemon shows the fatal error */
  const edgellm_token* prompt;
  size_t n_prompt;
  edgellm_generate_params generate; /* callback/user_data are set by the loop */
  FILE* out;
  volatile sig_atomic_t* stop;
  int debounce_ms;
  /* state */
  led_player led;
  debounce button;
  int busy_stop;    /* a press during generation asks it to stop */
  int write_failed; /* writing the output failed */
  int generations;
} appliance;

/* Runs until *stop is set. Returns the exit status: 0 after a clean stop,
   1 when startup had failed (ctx NULL) or the GPIO backend failed. */
int appliance_run(appliance* a);

#endif
