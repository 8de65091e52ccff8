#!/usr/bin/env bash
# tests/packaging/package-test.sh [--keep]
#
# Builds the Debian packages of this tree (dpkg-buildpackage -b, in a copy of
# the tree under a temporary directory), runs lintian on them, installs them
# with apt-get (which brings Debian's openvswitch-switch), starts Open vSwitch
# with Debian's service script (/usr/share/openvswitch/scripts/ovs-ctl) and
# passes traffic between two dpdk-testpmd guests through two
# dpdkvhostuserclient ports with options:dq-zero-copy=true on a netdev
# bridge.  Prints "packaging: N passed, N failed" last; exits 1 on failure.
#
# Afterwards it stops OVS (ovs-ctl stop), kills the guests and purges every
# package it installed for the run (ours, openvswitch-switch and the rest of
# what apt-get pulled in), unless --keep is given: then OVS, the guests and
# the packages stay, and the script prints how to clean up.
#
# Needs root (re-runs itself with sudo otherwise), the network (apt-get) and
# about 5 minutes on 2 cores.  Every DPDK process runs with --no-pci and
# --in-memory; ovs-vswitchd runs in a network namespace of its own, so the
# userspace bridge's internal port never appears on the host.
#
# Environment: PKGTEST_HUGEPAGES (2 MB pages to reserve at least, default
# 1024), PKGTEST_SECONDS (traffic time, default 5).
set -uo pipefail

KEEP=no
for arg in "$@"; do
    case $arg in
        --keep) KEEP=yes ;;
        -h|--help) sed -n '2,/^set -uo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "usage: $0 [--keep]" >&2; exit 2 ;;
    esac
done

if [ "$(id -u)" != 0 ]; then
    exec sudo -E "$0" "$@"
fi

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HUGEPAGES=${PKGTEST_HUGEPAGES:-1024}
SECONDS_TRAFFIC=${PKGTEST_SECONDS:-5}
CTL=/usr/share/openvswitch/scripts/ovs-ctl
PLUGINDIR=/usr/lib/openvswitch/plugins
VSWITCHD=/usr/lib/openvswitch-switch-vhost-accel/ovs-vswitchd-vhost-accel
BR=pkgtestbr0
APT=(apt-get -q -y -o DPkg::Lock::Timeout=600 --no-install-recommends)
export DEBIAN_FRONTEND=noninteractive

T0=$(date +%s)
WORK=$(mktemp -d /tmp/ovs-vhost-accel-pkgtest.XXXXXX)
RUN=$WORK/run
mkdir -p "$RUN"
PASS=0 FAIL=0
PKGS_INSTALLED=()
CREATED_POLICY=no
OVS_DIRS_BEFORE=()
OVS_STARTED=no

log() { printf '%s\n' "packaging: $*"; }
pass() { PASS=$((PASS + 1)); printf 'PASS: %s\n' "$*"; }
fail() { FAIL=$((FAIL + 1)); printf 'FAIL: %s\n' "$*"; }
# check NAME COMMAND...: PASS when COMMAND succeeds.
check() {
    local name=$1; shift
    if "$@"; then pass "$name"; else fail "$name"; fi
}

installed_pkgs() {
    dpkg-query -W -f='${db:Status-Abbrev} ${binary:Package}\n' 2>/dev/null \
        | awk '$1 == "ii" { print $2 }' | sort
}

# ---------------------------------------------------------------------------
# Clean-up: guests, OVS, packages.

stop_guests() {
    local f pid i
    for f in "$RUN"/testpmd-*.pid; do
        [ -f "$f" ] || continue
        pid=$(cat "$f")
        kill "$pid" 2>/dev/null || continue
        # A testpmd still waiting for its vhost-user client ignores SIGTERM.
        for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
        rm -f "$f"
    done
}

CLEANED=no
# Stops the guests and OVS, purges the packages (not with --keep).
do_cleanup() {
    [ "$CLEANED" = no ] || return 0
    CLEANED=yes
    if [ "$KEEP" = yes ]; then
        log "--keep: OVS, the guests and the packages are left installed and running"
        log "  logs and sockets: $WORK; OVS log: /var/log/openvswitch/ovs-vswitchd.log"
        log "  clean up with: kill \$(cat $RUN/testpmd-*.pid); $CTL stop;"
        log "    apt-get purge ${PKGS_INSTALLED[*]:-ovs-vhost-accel openvswitch-switch-vhost-accel}"
        return 0
    fi
    stop_guests
    if [ "$OVS_STARTED" = yes ]; then
        ovs-vsctl --timeout=10 --if-exists del-br "$BR" >/dev/null 2>&1
        if "$CTL" stop >"$WORK/ovs-ctl-stop.log" 2>&1; then
            log "Open vSwitch stopped (ovs-ctl stop)"
        else
            echo "ovs-ctl stop failed:"; cat "$WORK/ovs-ctl-stop.log"
        fi
    fi
    if [ ${#PKGS_INSTALLED[@]} -gt 0 ]; then
        log "purging the packages installed for the test: ${PKGS_INSTALLED[*]}"
        "${APT[@]}" purge "${PKGS_INSTALLED[@]}" >"$WORK/purge.log" 2>&1 \
            || { echo "apt-get purge failed:"; tail -n 20 "$WORK/purge.log"; }
        # openvswitch-switch's purge leaves its state directories.
        local d
        for d in /etc/openvswitch /var/lib/openvswitch /var/log/openvswitch \
                 /var/run/openvswitch; do
            case " ${OVS_DIRS_BEFORE[*]} " in
                *" $d "*) ;;
                *) [ -e "$d" ] && ! dpkg -S "$d" >/dev/null 2>&1 && rm -rf "$d" ;;
            esac
        done
    fi
    if [ "$CREATED_POLICY" = yes ]; then
        rm -f /usr/sbin/policy-rc.d
    fi
    if [ "$FAIL" = 0 ]; then
        rm -rf "$WORK"
    else
        log "logs kept in $WORK"
    fi
}
trap 'do_cleanup' EXIT
trap 'exit 130' INT TERM

finish() {
    do_cleanup
    log "total time $(( $(date +%s) - T0 )) s (build $BUILD_TIME s)"
    echo "packaging: $PASS passed, $FAIL failed"
    [ "$FAIL" = 0 ]
    exit $?
}
BUILD_TIME=-

# ---------------------------------------------------------------------------
# 0. Refuse to disturb an Open vSwitch already running on this machine.
for d in ovs-vswitchd ovsdb-server; do
    if [ -f /var/run/openvswitch/$d.pid ] \
       && kill -0 "$(cat /var/run/openvswitch/$d.pid)" 2>/dev/null; then
        log "$d is already running (/var/run/openvswitch/$d.pid): stop it first" \
            "($CTL stop)"
        CLEANED=yes    # Touch nothing of it.
        rm -rf "$WORK"
        exit 1
    fi
done

# ---------------------------------------------------------------------------
# 1. A copy of the tree: the files git knows (tracked, and untracked but not
#    ignored) when this is a git checkout, else everything but build trees.
VERSION=$(dpkg-parsechangelog -l "$TOP/debian/changelog" -S Version 2>/dev/null \
          || sed -n '1s/.*(\(.*\)).*/\1/p' "$TOP/debian/changelog")
UPSTREAM=${VERSION%-*}
SRC=$WORK/ovs-vhost-accel-$UPSTREAM
mkdir -p "$SRC"
if git -C "$TOP" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    (cd "$TOP" && git ls-files -z --cached --others --exclude-standard \
        | while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done \
        | tar --null -T - -cf - | tar -xf - -C "$SRC")
else
    (cd "$TOP" && tar --exclude=./_build --exclude=./_build-asan --exclude=./.git --exclude=./_ci -cf - .) \
        | tar -xf - -C "$SRC"
fi
check "copy of the tree in $SRC" test -f "$SRC/debian/control"

# ---------------------------------------------------------------------------
# 2. Build dependencies and tools (apt-get), then the packages.
log "installing build dependencies (apt-get)"
T=$(date +%s)
"${APT[@]}" update >"$WORK/apt-update.log" 2>&1 || true
"${APT[@]}" install build-essential dpkg-dev debhelper devscripts lintian \
    dpdk procps util-linux >"$WORK/apt-tools.log" 2>&1
check "build tools installed (apt-get)" test $? = 0
"${APT[@]}" build-dep "$SRC" >"$WORK/apt-build-dep.log" 2>&1
check "Build-Depends installed (apt-get build-dep)" test $? = 0
log "dependencies: $(( $(date +%s) - T )) s"

log "dpkg-buildpackage -b -us -uc (log: $WORK/build.log)"
T=$(date +%s)
(cd "$SRC" && dpkg-buildpackage -b -us -uc -j"$(nproc)") >"$WORK/build.log" 2>&1
BUILD_RC=$?
BUILD_TIME=$(( $(date +%s) - T ))
ARCH=$(dpkg --print-architecture)
DEB_PLUGIN=$WORK/ovs-vhost-accel_${VERSION}_$ARCH.deb
DEB_SWITCH=$WORK/openvswitch-switch-vhost-accel_${VERSION}_$ARCH.deb
CHANGES=$WORK/ovs-vhost-accel_${VERSION}_$ARCH.changes
if [ $BUILD_RC = 0 ] && [ -f "$DEB_PLUGIN" ] && [ -f "$DEB_SWITCH" ]; then
    pass "dpkg-buildpackage ($BUILD_TIME s)"
else
    fail "dpkg-buildpackage ($BUILD_TIME s, exit $BUILD_RC)"
    tail -n 40 "$WORK/build.log"
    finish
fi

# Contents.
dpkg-deb -c "$DEB_PLUGIN" | awk '{ print substr($6, 2) }' >"$WORK/plugin.list"
dpkg-deb -c "$DEB_SWITCH" | awk '{ print substr($6, 2) }' >"$WORK/switch.list"
has() { grep -qx "$2" "$1"; }
check "ovs-vhost-accel: plugin in $PLUGINDIR" has "$WORK/plugin.list" "$PLUGINDIR/ovs-vhost-accel.so"
check "ovs-vhost-accel: man page ovs-vhost-accel(7)" \
    has "$WORK/plugin.list" /usr/share/man/man7/ovs-vhost-accel.7.gz
check "ovs-vhost-accel: HTML guide" \
    has "$WORK/plugin.list" /usr/share/doc/ovs-vhost-accel/html/index.html
check "ovs-vhost-accel: README.md" \
    has "$WORK/plugin.list" /usr/share/doc/ovs-vhost-accel/README.md.gz
check "openvswitch-switch-vhost-accel: patched ovs-vswitchd" has "$WORK/switch.list" "$VSWITCHD"
check "patched ovs-vswitchd reads plugins from $PLUGINDIR" \
    sh -c "dpkg-deb --fsys-tarfile '$DEB_SWITCH' | tar -xOf - '.$VSWITCHD' | grep -qaF '$PLUGINDIR'"
check "openvswitch-switch-vhost-accel: Depends on openvswitch-switch" \
    sh -c "dpkg-deb -f '$DEB_SWITCH' Depends | grep -q 'openvswitch-switch (>='"

# ---------------------------------------------------------------------------
# 3. lintian: no errors (warnings are listed).
log "lintian"
lintian --display-info "$CHANGES" >"$WORK/lintian.log" 2>&1
grep -E '^[EWI]: ' "$WORK/lintian.log" | sed 's/^/  lintian: /'
LINTIAN_E=$(grep -c '^E: ' "$WORK/lintian.log")
LINTIAN_W=$(grep -c '^W: ' "$WORK/lintian.log")
check "lintian: $LINTIAN_E errors, $LINTIAN_W warnings" test "$LINTIAN_E" = 0

# ---------------------------------------------------------------------------
# 4. Install (apt-get resolves openvswitch-switch & co).  Services are not
#    started by the maintainer scripts (policy-rc.d): the test starts OVS.
for d in /etc/openvswitch /var/lib/openvswitch /var/log/openvswitch /var/run/openvswitch; do
    [ -e "$d" ] && OVS_DIRS_BEFORE+=("$d")
done
if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\n# package-test.sh: no service start during the test\nexit 101\n' \
        >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    CREATED_POLICY=yes
fi
installed_pkgs >"$WORK/pkgs.before"
log "installing the packages (apt-get install ./*.deb)"
"${APT[@]}" install "$DEB_PLUGIN" "$DEB_SWITCH" >"$WORK/install.log" 2>&1
INSTALL_RC=$?
installed_pkgs >"$WORK/pkgs.after"
mapfile -t PKGS_INSTALLED < <(comm -13 "$WORK/pkgs.before" "$WORK/pkgs.after")
if [ $INSTALL_RC = 0 ]; then
    pass "apt-get install (new: ${PKGS_INSTALLED[*]})"
else
    fail "apt-get install"
    tail -n 30 "$WORK/install.log"
    finish
fi
check "ovs-vswitchd alternative is the patched one" \
    test "$(readlink -f /usr/sbin/ovs-vswitchd)" = "$VSWITCHD"
update-alternatives --display ovs-vswitchd | sed 's/^/  /'
check "ovs-vswitchd --version (OVS $(dpkg-query -W -f='${Version}' openvswitch-switch))" \
    sh -c '/usr/sbin/ovs-vswitchd --version | grep -q "Open vSwitch"'
check "plugin installed in $PLUGINDIR" test -f "$PLUGINDIR/ovs-vhost-accel.so"
check "man page installed" test -f /usr/share/man/man7/ovs-vhost-accel.7.gz

# ---------------------------------------------------------------------------
# 5. Hugepages.
NR=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
if [ "$(cat $NR)" -lt "$HUGEPAGES" ]; then
    echo "$HUGEPAGES" >$NR
fi
if ! grep -qs ' /dev/hugepages hugetlbfs' /proc/mounts; then
    mkdir -p /dev/hugepages
    mount -t hugetlbfs hugetlbfs /dev/hugepages
fi
check "hugepages ($(cat $NR) x 2 MB, $(awk '/HugePages_Free/ { print $2 }' /proc/meminfo) free)" \
    test "$(awk '/HugePages_Free/ { print $2 }' /proc/meminfo)" -ge 512

# ---------------------------------------------------------------------------
# 6. Open vSwitch through Debian's ovs-ctl: ovsdb-server first, DPDK
#    configured in the database, then ovs-vswitchd (in a network namespace of
#    its own, for the bridge's internal tap port).
log "starting Open vSwitch with $CTL"
OVS_STARTED=yes
"$CTL" --no-ovs-vswitchd --system-id=random start >"$WORK/ovs-ctl-start.log" 2>&1
check "ovs-ctl start (ovsdb-server)" test $? = 0
ovs-vsctl --no-wait set Open_vSwitch . \
    other_config:dpdk-init=true \
    other_config:dpdk-extra="--no-pci --in-memory" \
    other_config:dpdk-socket-mem=512 other_config:dpdk-socket-limit=512 \
    other_config:pmd-cpu-mask=0x2
unshare --net -- "$CTL" --no-ovsdb-server --system-id=random start \
    >>"$WORK/ovs-ctl-start.log" 2>&1
check "ovs-ctl start (ovs-vswitchd)" test $? = 0
sed 's/^/  ovs-ctl: /' "$WORK/ovs-ctl-start.log"
ovs-vsctl --timeout=60 wait-until Open_vSwitch . dpdk_initialized=true >/dev/null 2>&1
check "DPDK initialized" test $? = 0
PID=$(cat /var/run/openvswitch/ovs-vswitchd.pid 2>/dev/null)
check "running ovs-vswitchd is $VSWITCHD" \
    test "$(readlink "/proc/${PID:-0}/exe" 2>/dev/null)" = "$VSWITCHD"
"$CTL" status | sed 's/^/  /'
ovs-appctl plugin/list >"$WORK/plugin-list.txt" 2>&1
sed 's/^/  plugin\/list: /' "$WORK/plugin-list.txt"
check "plugin loaded from $PLUGINDIR" \
    grep -q "^$PLUGINDIR/ovs-vhost-accel.so: loaded plugin" "$WORK/plugin-list.txt"

# ---------------------------------------------------------------------------
# 7. Two dpdkvhostuserclient ports with dequeue zero-copy, two testpmd guests:
#    guest0 (txonly, 1024-byte frames: above dq-zero-copy-threshold) ->
#    vhost0 -> bridge -> vhost1 -> guest1 (rxonly).
ovs-vsctl --if-exists del-br "$BR" -- add-br "$BR" \
    -- set Bridge "$BR" datapath_type=netdev
for i in 0 1; do
    ovs-vsctl add-port "$BR" vhost$i -- set Interface vhost$i \
        type=dpdkvhostuserclient options:vhost-server-path="$RUN/vhost$i.sock" \
        options:dq-zero-copy=true
done
ovs-ofctl del-flows "$BR"
ovs-ofctl add-flow "$BR" in_port=vhost0,actions=output:vhost1
ovs-ofctl add-flow "$BR" in_port=vhost1,actions=output:vhost0

start_guest() {
    local name=$1 sock=$2
    shift 2
    dpdk-testpmd --no-pci --in-memory --single-file-segments -l 0,1 --main-lcore 1 \
        --file-prefix="pkgtest-$name" --vdev "net_virtio_user0,path=$sock,server=1" \
        -- -a --nb-cores=1 --stats-period 1 "$@" \
        </dev/null >"$RUN/testpmd-$name.log" 2>&1 &
    echo $! >"$RUN/testpmd-$name.pid"
}
log "guests: guest0 txonly on vhost0, guest1 rxonly on vhost1"
start_guest guest0 "$RUN/vhost0.sock" --forward-mode=txonly --txpkts=1024
start_guest guest1 "$RUN/vhost1.sock" --forward-mode=rxonly
for i in 0 1; do
    ovs-vsctl --timeout=60 wait-until Interface vhost$i link_state=up >/dev/null 2>&1
    check "vhost$i link up" test $? = 0
done

ovs_stat() {
    local v
    v=$(ovs-vsctl get Interface "$1" "statistics:$2" 2>/dev/null) || v=0
    echo "${v//\"/}"
}
sleep 2
RX0_A=$(ovs_stat vhost0 rx_packets) TX1_A=$(ovs_stat vhost1 tx_packets)
sleep "$SECONDS_TRAFFIC"
RX0_B=$(ovs_stat vhost0 rx_packets) TX1_B=$(ovs_stat vhost1 tx_packets)
ZC=$(ovs_stat vhost0 rx_zero_copy_packets)
ZC_STATUS=$(ovs-vsctl get Interface vhost0 status:dq-zero-copy 2>/dev/null | tr -d '"')
log "vhost0 rx_packets $RX0_A -> $RX0_B, vhost1 tx_packets $TX1_A -> $TX1_B" \
    "in $SECONDS_TRAFFIC s; vhost0 rx_zero_copy_packets $ZC, status:dq-zero-copy '$ZC_STATUS'"
check "vhost0 rx_packets rising (guest0 -> OVS)" test "$RX0_B" -gt "$RX0_A"
check "vhost1 tx_packets rising (OVS -> guest1)" test "$TX1_B" -gt "$TX1_A"
check "vhost0 status:dq-zero-copy active" test "$ZC_STATUS" = active
check "vhost0 rx_zero_copy_packets > 0" test "${ZC:-0}" -gt 0
# What guest1 received, from its own port statistics.
GUEST1_RX=$(grep -oE 'RX-packets: *[0-9]+' "$RUN/testpmd-guest1.log" \
            | awk '{ if ($2 > m) m = $2 } END { print m + 0 }')
check "guest1 received packets (testpmd RX-packets $GUEST1_RX)" test "$GUEST1_RX" -gt 0
ovs-appctl vhost-accel/show 2>&1 | head -n 20 | sed 's/^/  vhost-accel\/show: /'
grep -E '\|(ERR|EMER)\|' /var/log/openvswitch/ovs-vswitchd.log \
    | sed 's/^/  ovs-vswitchd.log: /' | head -n 10

finish
