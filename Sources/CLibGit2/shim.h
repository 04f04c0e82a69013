#ifndef DEVOPSDEFENDER_CLIBGIT2_SHIM_H
#define DEVOPSDEFENDER_CLIBGIT2_SHIM_H

#include <git2.h>
#include <git2/sys/stream.h>

/* git_libgit2_opts is variadic, which Swift cannot call: one fixed-arity wrapper per option. */

/* Sets the CA file and/or directory the TLS backend (mbedTLS on Debian 12) trusts; NULL skips one. */
static inline int dd_git_set_ssl_cert_locations(const char *file, const char *directory) {
    return git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, file, directory);
}

/* Sets the directories searched for configuration at `level` (GIT_CONFIG_LEVEL_*); "" means none. */
static inline int dd_git_set_search_path(git_config_level_t level, const char *path) {
    return git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, (int)level, path);
}

/* Sets the User-Agent sent over HTTP. */
static inline int dd_git_set_user_agent(const char *agent) {
    return git_libgit2_opts(GIT_OPT_SET_USER_AGENT, agent);
}

/* A socket stream whose every wait ends at a deadline (libgit2 1.5 has no socket timeouts).
   `parent` must stay first: libgit2 sees only the git_stream. The Swift side fills it. */
typedef struct {
    git_stream parent;
    int fd;
    char *host;
    char *port;
    /* CLOCK_MONOTONIC nanoseconds after which every wait fails; 0 means none. */
    long long deadline_ns;
} dd_deadline_stream;

#endif
