/* ovs-vhost-accel-xcore: how long a cache line takes to go from one CPU to
 * another and back, for "ovs-vhost-accel bench".
 *
 * A virtio ring lives on cache lines that the guest's core and the PMD's
 * core write in turn, so the cost of a line transfer between the two cores
 * sets the pace of every vhost-user datapath.  On a virtual machine the host
 * may place the two vCPUs on one physical core pair at one moment and on
 * different sockets the next (measured on the 2-vCPU CI machines: 55 ns or
 * 340 ns per round trip, switching within seconds); the bench uses this probe
 * to tell such windows apart.
 *
 * Usage: ovs-vhost-accel-xcore [--fifo] [--count N] [--interval SECONDS]
 *                              [--roundtrips R] CPU_A CPU_B
 * Prints one line per probe: the mean nanoseconds of one round trip over R
 * round trips, or -1 when the two threads did not meet within 50 ms.
 * --fifo runs both threads SCHED_FIFO so that they preempt busy-polling
 * threads (a PMD, a testpmd core) for the fraction of a millisecond a probe
 * takes; without it the CPUs should be idle. */

#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define GIVE_UP_NS 50000000LL

struct probe {
    int cpu_a, cpu_b;
    int fifo;
    long count;
    long roundtrips;
    int64_t interval_ns;
    int64_t start_ns;
    _Alignas(64) _Atomic uint64_t ready;   /* Probe number B is at. */
    _Alignas(64) _Atomic uint64_t ball;    /* The line that travels. */
};

static int64_t
now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void
sleep_until(int64_t t)
{
    struct timespec ts = { t / 1000000000LL, t % 1000000000LL };

    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {
        continue;
    }
}

static int
place_self(const struct probe *p, int cpu)
{
    cpu_set_t set;
    int error;

    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    error = pthread_setaffinity_np(pthread_self(), sizeof set, &set);
    if (error) {
        fprintf(stderr, "xcore: cannot run on CPU %d: %s\n", cpu,
                strerror(error));
        return -1;
    }
    if (p->fifo) {
        struct sched_param sp = { .sched_priority = 1 };

        error = pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
        if (error) {
            fprintf(stderr, "xcore: SCHED_FIFO: %s\n", strerror(error));
            return -1;
        }
    }
    return 0;
}

/* Spins until '*word' holds 'value'; false after GIVE_UP_NS. */
static int
wait_for(_Atomic uint64_t *word, uint64_t value, int64_t deadline)
{
    for (unsigned spins = 0;; spins++) {
        if (atomic_load_explicit(word, memory_order_acquire) == value) {
            return 1;
        }
        if (!(spins & 1023) && now_ns() > deadline) {
            return 0;
        }
    }
}

/* Probe 'n' uses values (n << 32) + 1, + 2, ...: a late partner never
 * mistakes an earlier probe's ball for the current one. */
static uint64_t
ball_value(long n, long i)
{
    return ((uint64_t) (n + 1) << 32) + (uint64_t) i;
}

static void *
partner_main(void *p_)
{
    struct probe *p = p_;

    if (place_self(p, p->cpu_b)) {
        exit(1);
    }
    for (long n = 0; n < p->count; n++) {
        sleep_until(p->start_ns + n * p->interval_ns);
        int64_t deadline = now_ns() + GIVE_UP_NS;

        atomic_store_explicit(&p->ready, n + 1, memory_order_release);
        for (long i = 0; i < p->roundtrips; i++) {
            if (!wait_for(&p->ball, ball_value(n, 2 * i + 1), deadline)) {
                break;
            }
            atomic_store_explicit(&p->ball, ball_value(n, 2 * i + 2),
                                  memory_order_release);
        }
    }
    return NULL;
}

static int
parse_args(struct probe *p, int argc, char *argv[])
{
    int i;

    p->count = 1;
    p->roundtrips = 2000;
    p->interval_ns = 500000000LL;
    for (i = 1; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "--fifo")) {
            p->fifo = 1;
        } else if (!strcmp(argv[i], "--count") && i + 1 < argc) {
            p->count = atol(argv[++i]);
        } else if (!strcmp(argv[i], "--roundtrips") && i + 1 < argc) {
            p->roundtrips = atol(argv[++i]);
        } else if (!strcmp(argv[i], "--interval") && i + 1 < argc) {
            p->interval_ns = (int64_t) (atof(argv[++i]) * 1e9);
        } else {
            return -1;
        }
    }
    if (argc - i != 2 || p->count < 1 || p->roundtrips < 1
        || p->interval_ns < 1000000) {
        return -1;
    }
    p->cpu_a = atoi(argv[i]);
    p->cpu_b = atoi(argv[i + 1]);
    return p->cpu_a == p->cpu_b ? -1 : 0;
}

int
main(int argc, char *argv[])
{
    static struct probe p;
    pthread_t partner;

    if (parse_args(&p, argc, argv)) {
        fprintf(stderr, "usage: %s [--fifo] [--count N] [--interval SECONDS] "
                "[--roundtrips R] CPU_A CPU_B (two different CPUs)\n",
                argv[0]);
        return 2;
    }
    if (place_self(&p, p.cpu_a)) {
        return 1;
    }
    p.start_ns = now_ns() + 1000000;
    if (pthread_create(&partner, NULL, partner_main, &p)) {
        fprintf(stderr, "xcore: cannot start a thread\n");
        return 1;
    }
    for (long n = 0; n < p.count; n++) {
        sleep_until(p.start_ns + n * p.interval_ns);
        int64_t deadline = now_ns() + GIVE_UP_NS;
        long i = 0;
        int64_t t0 = 0;

        if (wait_for(&p.ready, n + 1, deadline)) {
            t0 = now_ns();
            for (; i < p.roundtrips; i++) {
                atomic_store_explicit(&p.ball, ball_value(n, 2 * i + 1),
                                      memory_order_release);
                if (!wait_for(&p.ball, ball_value(n, 2 * i + 2), deadline)) {
                    break;
                }
            }
        }
        double rt = i == p.roundtrips
                    ? (double) (now_ns() - t0) / p.roundtrips : -1;
        if (rt < 0) {
            printf("-1\n");
        } else {
            printf("%.1f\n", rt);
        }
        fflush(stdout);
    }
    pthread_join(partner, NULL);
    return 0;
}
