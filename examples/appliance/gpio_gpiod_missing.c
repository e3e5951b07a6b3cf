/* Stand-in for the libgpiod backend in builds without libgpiod: opening
   hardware GPIO fails with a message saying so (the scripted backend works). */
#include <stdio.h>
#include <string.h>

#include "gpio.h"

int gpio_have_gpiod(void) { return 0; }

int gpio_open_gpiod(const gpio_config* cfg, gpio_dev* dev) {
  memset(dev, 0, sizeof *dev);
  snprintf(dev->error, sizeof dev->error,
           "cannot open GPIO chip '%s': this build has no libgpiod (install libgpiod-dev and "
           "reconfigure)",
           cfg->chip ? cfg->chip : "");
  return -1;
}
