/* Unit checks of the appliance's pieces that need no model: the debouncer,
   the LED pattern player (against a recording GPIO fake) and the scripted
   GPIO double (virtual clock, script errors).
   usage: edgellm_appliance_unit_test (a scratch directory is made in /tmp) */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "debounce.h"
#include "gpio.h"
#include "led_pattern.h"

static int failures = 0;
#define CHECK(cond)                                                   \
  do {                                                                \
    if (!(cond)) {                                                    \
      fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
      ++failures;                                                     \
    }                                                                 \
  } while (0)

static void test_debounce(void) {
  debounce d;
  debounce_init(&d, 30, 0);
  CHECK(debounce_deadline(&d) == -1);
  /* bounce: four edges within the window, ending pressed */
  debounce_edge(&d, 1, 100);
  debounce_edge(&d, 0, 102);
  debounce_edge(&d, 1, 104);
  CHECK(debounce_poll(&d, 120) == 0);
  debounce_edge(&d, 0, 121);
  debounce_edge(&d, 1, 125);
  CHECK(debounce_deadline(&d) == 155);
  CHECK(debounce_poll(&d, 154) == 0);
  CHECK(debounce_poll(&d, 155) == 1);
  CHECK(debounce_poll(&d, 500) == 0); /* accepted once */
  /* a glitch that returns to the stable level is no change */
  debounce_edge(&d, 0, 600);
  debounce_edge(&d, 1, 605);
  CHECK(debounce_deadline(&d) == -1);
  CHECK(debounce_poll(&d, 700) == 0);
  debounce_edge(&d, 0, 800);
  CHECK(debounce_poll(&d, 830) == -1);
  /* a zero window accepts at once */
  debounce_init(&d, 0, 0);
  debounce_edge(&d, 1, 5);
  CHECK(debounce_poll(&d, 5) == 1);
}

/* A GPIO fake that records LED levels with the time they were set. */
typedef struct fake {
  int64_t now;
  int n;
  int level[64];
  int64_t when[64];
} fake;

static int64_t fk_now(gpio_dev* d) { return ((fake*)d->impl)->now; }
static int fk_set_led(gpio_dev* d, int on) {
  fake* f = d->impl;
  if (f->n < 64) {
    f->level[f->n] = on;
    f->when[f->n++] = f->now;
  }
  return 0;
}
static const gpio_ops fake_ops = {fk_now, NULL, NULL, fk_set_led, NULL, NULL};

static void test_led(void) {
  fake f;
  memset(&f, 0, sizeof f);
  gpio_dev dev = {&fake_ops, &f, ""};
  led_player p;
  memset(&p, 0, sizeof p);
  f.now = 1000;
  CHECK(led_show(&p, &dev, &LED_ERROR, f.now) == 0);
  CHECK(f.n == 1 && f.level[0] == 1);
  /* step through two full cycles one millisecond at a time */
  int cycle = 0;
  for (int i = 0; i < LED_ERROR.n; ++i) cycle += LED_ERROR.ms[i];
  for (f.now = 1000; f.now <= 1000 + 2 * cycle; ++f.now) CHECK(led_tick(&p, f.now) == 0);
  CHECK(f.n == 1 + 2 * LED_ERROR.n);
  for (int i = 1; i < f.n; ++i) {
    CHECK(f.level[i] == ((i % LED_ERROR.n) % 2 == 0));
    CHECK(f.when[i] - f.when[i - 1] == LED_ERROR.ms[(i - 1) % LED_ERROR.n]);
  }
  /* showing the same pattern again does not restart it */
  int n = f.n;
  CHECK(led_show(&p, &dev, &LED_ERROR, f.now) == 0 && f.n == n);
  /* a long stall skips whole cycles instead of flickering through them */
  f.now += 100 * cycle;
  CHECK(led_tick(&p, f.now) == 0);
  CHECK(f.n - n <= LED_ERROR.n);
  /* the three patterns differ */
  CHECK(LED_IDLE.ms[0] != LED_BUSY.ms[0] || LED_IDLE.ms[1] != LED_BUSY.ms[1]);
  CHECK(LED_ERROR.n != LED_BUSY.n && LED_ERROR.n != LED_IDLE.n);
}

static void write_file(const char* path, const char* text) {
  FILE* f = fopen(path, "w");
  if (!f) {
    perror(path);
    exit(1);
  }
  fputs(text, f);
  fclose(f);
}

static volatile sig_atomic_t got_term = 0;
static void on_term(int sig) {
  (void)sig;
  got_term = 1;
}

static void test_script(const char* dir) {
  char script[512], log[512];
  snprintf(script, sizeof script, "%s/script.txt", dir);
  snprintf(log, sizeof log, "%s/led.log", dir);
  write_file(script, "# a press\nstep 10\n100 press\n130 release  # done\n500 term\n");
  gpio_dev dev;
  CHECK(gpio_open_script(script, log, &dev) == 0);
  int pressed = -1;
  CHECK(dev.ops->read_button(&dev) == 0);
  CHECK(dev.ops->wait_edge(&dev, 50, &pressed) == 0 && dev.ops->now_ms(&dev) == 50);
  CHECK(dev.ops->wait_edge(&dev, 0, &pressed) == 0 && dev.ops->now_ms(&dev) == 60); /* step */
  CHECK(dev.ops->wait_edge(&dev, 1000, &pressed) == 1 && pressed == 1);
  CHECK(dev.ops->now_ms(&dev) == 100 && dev.ops->read_button(&dev) == 1);
  CHECK(dev.ops->wait_edge(&dev, 1000, &pressed) == 1 && pressed == 0);
  CHECK(dev.ops->set_led(&dev, 1) == 0);
  signal(SIGTERM, on_term);
  CHECK(dev.ops->wait_edge(&dev, 1000, &pressed) == 0 && got_term == 1);
  CHECK(dev.ops->now_ms(&dev) == 500);
  signal(SIGTERM, SIG_DFL);
  dev.ops->close(&dev);
  FILE* f = fopen(log, "r");
  char buf[512] = "";
  CHECK(f != NULL);
  if (f) {
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
  }
  CHECK(strcmp(buf, "100 button 1\n130 button 0\n130 led 1\n500 signal TERM\n") == 0);

  /* errors name the file and line */
  write_file(script, "100 press\n50 release\n");
  CHECK(gpio_open_script(script, NULL, &dev) == -1 && strstr(dev.error, ":2:") &&
        strstr(dev.error, "backwards"));
  write_file(script, "100 push\n");
  CHECK(gpio_open_script(script, NULL, &dev) == -1 && strstr(dev.error, ":1:"));
  CHECK(gpio_open_script("/nonexistent/script", NULL, &dev) == -1 &&
        strstr(dev.error, "/nonexistent/script"));
}

int main(int argc, char** argv) {
  (void)argc;
  (void)argv;
  char dir[] = "/tmp/appliance-unit-XXXXXX";
  if (!mkdtemp(dir)) {
    perror("mkdtemp");
    return 1;
  }
  test_debounce();
  test_led();
  test_script(dir);
  char cmd[600];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) fprintf(stderr, "warning: could not remove %s\n", dir);
  if (failures) {
    fprintf(stderr, "%d check(s) failed\n", failures);
    return 1;
  }
  printf("appliance unit tests: all passed\n");
  return 0;
}
