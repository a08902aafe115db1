/* check.h: TCP connect health checks ("check" on a server line). Each
 * checked server gets a timer; every inter/fastinter/downinter ms a
 * non-blocking connect is tried (io_uring connect + link timeout with
 * "timeout check", else inter). <rise> consecutive successes bring a DOWN
 * server UP, <fall> consecutive failures take an UP server DOWN; each
 * transition is logged as HAProxy logs it and the load balancer is told. */
#ifndef RP_CHECK_H
#define RP_CHECK_H

struct config;
struct server;
struct thr;

/* Result of one check, exposed for tests. */
enum check_result { CHECK_OK = 0, CHECK_L4_REFUSED, CHECK_L4_TIMEOUT, CHECK_L4_ERROR };

/* Checks the "check" servers of <cfg> after parsing: a server without a
 * port to check (no service port, no "port") is an error, as in HAProxy.
 * Returns the number of errors, each printed as an [ALERT] line. */
int check_cfg_validate(struct config *cfg);
/* Starts the checks of every server with "check" in <cfg> on thread <t>
 * (the first checks are spread evenly over the first interval, as HAProxy
 * spreads them). Returns the number of checked servers or -errno. */
int check_start(struct config *cfg, struct thr *t);
/* Stops every check (cancels in-flight connects); safe to call twice. */
void check_stop(void);

/* Feeds one check result into <srv>'s state machine: updates health and
 * state, logs a transition, tells the load balancer. <errnum> is the
 * connect error (0 on success), <dur_ms> the check duration. Returns 1 if
 * the server changed state, else 0. Used by check.c and the tests. */
int check_report(struct server *srv, enum check_result res, int errnum, unsigned dur_ms);

#endif
