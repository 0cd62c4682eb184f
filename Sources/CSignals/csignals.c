#include "csignals.h"
#include <signal.h>
#include <string.h>

static volatile sig_atomic_t stop_count = 0;
static volatile sig_atomic_t last_stop_signal = 0;

// Both signals are masked while the handler runs (sa_mask), so the increment is never
// interleaved with itself.
static void on_stop_signal(int number) {
    last_stop_signal = number;
    stop_count = stop_count + 1;
}

void csignals_install_stop_handlers(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    sigaddset(&action.sa_mask, SIGTERM);
    sigaddset(&action.sa_mask, SIGINT);
    action.sa_flags = SA_RESTART;
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGINT, &action, NULL);
}

int csignals_stop_count(void) { return stop_count; }

int csignals_last_stop_signal(void) { return last_stop_signal; }
