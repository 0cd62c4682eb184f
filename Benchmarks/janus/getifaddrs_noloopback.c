/* LD_PRELOAD shim for the Janus benchmark (Benchmarks/janus_compare.py).
 *
 * Janus 1.1.2 (libnice) never gathers a host candidate on a loopback interface, even with
 * ice_enforce_list = "lo". This wraps getifaddrs(3) and clears IFF_LOOPBACK on "lo", so the
 * interface that holds 127.0.0.1 looks like an ordinary one and Janus offers 127.0.0.1.
 *
 *     gcc -shared -fPIC -O2 -o getifaddrs_noloopback.so getifaddrs_noloopback.c -ldl
 *     LD_PRELOAD=$PWD/getifaddrs_noloopback.so janus -i 127.0.0.1 ...
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <string.h>

int getifaddrs(struct ifaddrs **ifap) {
    static int (*real)(struct ifaddrs **) = NULL;
    if (real == NULL) real = (int (*)(struct ifaddrs **))dlsym(RTLD_NEXT, "getifaddrs");
    int rc = real(ifap);
    if (rc == 0) {
        for (struct ifaddrs *ifa = *ifap; ifa != NULL; ifa = ifa->ifa_next) {
            if (ifa->ifa_name != NULL && strcmp(ifa->ifa_name, "lo") == 0) ifa->ifa_flags &= ~IFF_LOOPBACK;
        }
    }
    return rc;
}
