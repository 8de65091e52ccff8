/* ovs-appctl commands and coverage counters of the plugin (C glue). */
#include <config.h>

#include <stdlib.h>

#include "accel-api.h"
#include "coverage.h"
#include "unixctl.h"
#include "util.h"

COVERAGE_DEFINE(vhost_accel_tx_contention);
COVERAGE_DEFINE(vhost_accel_tx_retry);

void accel_appctl_register(void);

void
accel_coverage_add(enum accel_coverage which, unsigned int n)
{
    switch (which) {
    case ACCEL_COV_TX_CONTENTION:
        COVERAGE_ADD(vhost_accel_tx_contention, n);
        break;
    case ACCEL_COV_TX_RETRY:
        COVERAGE_ADD(vhost_accel_tx_retry, n);
        break;
    }
}

static void
appctl_show(struct unixctl_conn *conn, int argc OVS_UNUSED,
            const char *argv[] OVS_UNUSED, void *aux OVS_UNUSED)
{
    char *text = accel_core_show();
    unixctl_command_reply(conn, text);
    free(text);
}

void
accel_appctl_register(void)
{
    unixctl_command_register("vhost-accel/show", "", 0, 0, appctl_show,
                             NULL);
}
