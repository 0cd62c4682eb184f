#ifndef CSIGNALS_H
#define CSIGNALS_H

/// Catches SIGTERM and SIGINT with a handler that only counts them (async-signal-safe), so
/// whichever thread the kernel picks, no stop signal is lost. (A DispatchSource on Linux reads
/// a signalfd and blocks the signal only in the installing thread; with SIG_IGN elsewhere, a
/// signal taken by another thread was dropped.) Child processes get the default back at exec.
void csignals_install_stop_handlers(void);

/// SIGTERM and SIGINT received since install.
int csignals_stop_count(void);

/// The last of them (SIGTERM or SIGINT), 0 before any.
int csignals_last_stop_signal(void);

#endif
