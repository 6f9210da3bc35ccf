#!/usr/bin/env bash
# Serve the Docker API from podman so that the SAM CLI (which speaks only the Docker API) can
# run Lambda containers. Run setup.sh once first.
#
# Usage: scripts/container-runtime/start-service.sh [start|stop|status|env]
#   start   start the service in the background unless it already answers, wait until it
#           does, and print the line DOCKER_HOST=unix://... on stdout (default)
#   stop    stop the service this script started
#   status  exit 0 if the service answers, 1 if not
#   env     print the DOCKER_HOST line without starting anything
#
# A shell can take the variable with:  export "$(scripts/container-runtime/start-service.sh)"
#
# Environment:
#   SKLAMBDA_PODMAN_DIR   directory for the socket, pid file and log
#                         (default: ${TMPDIR:-/tmp}/sklambda-podman-$UID)
set -euo pipefail

# A temp dir rather than the work tree: socket paths are limited to 107 bytes, and one service
# can serve every checkout on the machine since they share podman's image store anyway.
DIR="${SKLAMBDA_PODMAN_DIR:-${TMPDIR:-/tmp}/sklambda-podman-$(id -u)}"
SOCKET="$DIR/podman.sock"
PIDFILE="$DIR/service.pid"
LOGFILE="$DIR/service.log"
START_TIMEOUT=30

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

answers() {
    [[ -S $SOCKET ]] && curl -fsS --max-time 5 --unix-socket "$SOCKET" http://podman/_ping >/dev/null 2>&1
}

service_pid() {
    local pid
    [[ -f $PIDFILE ]] || return 1
    pid=$(<"$PIDFILE")
    [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
    echo "$pid"
}

start() {
    if answers; then
        log "podman API service already answers on $SOCKET"
        echo "DOCKER_HOST=unix://$SOCKET"
        return
    fi
    command -v podman >/dev/null || die "podman is not installed; run scripts/container-runtime/setup.sh"
    command -v curl >/dev/null || die "curl is not installed; run scripts/container-runtime/setup.sh"
    local pid
    if pid=$(service_pid); then
        log "stopping unresponsive service (pid $pid)"
        kill "$pid" 2>/dev/null || true
    fi
    mkdir -p "$DIR"
    chmod 700 "$DIR"
    rm -f "$SOCKET"
    log "starting podman API service on $SOCKET (log: $LOGFILE)"
    # runc: crun cannot create containers under this machine's cgroup setup.
    # --time=0: the service must outlive idle gaps between test invocations.
    # setsid + nohup: the service must survive this script and its caller's terminal.
    setsid nohup podman --runtime runc system service --time=0 "unix://$SOCKET" \
        >"$LOGFILE" 2>&1 </dev/null &
    echo $! >"$PIDFILE"
    local waited=0
    until answers; do
        if ! service_pid >/dev/null; then
            tail -n 20 "$LOGFILE" >&2 || true
            die "podman API service exited during start-up"
        fi
        ((waited++ < START_TIMEOUT * 10)) || die "podman API service did not answer within ${START_TIMEOUT}s"
        sleep 0.1
    done
    log "podman API service answers (pid $(<"$PIDFILE"))"
    echo "DOCKER_HOST=unix://$SOCKET"
}

stop() {
    local pid
    if ! pid=$(service_pid); then
        log "no podman API service started from $DIR is running"
        rm -f "$PIDFILE"
        return
    fi
    log "stopping podman API service (pid $pid)"
    kill "$pid"
    for _ in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    rm -f "$PIDFILE" "$SOCKET"
}

case "${1:-start}" in
    start) start ;;
    stop) stop ;;
    status) answers ;;
    env) echo "DOCKER_HOST=unix://$SOCKET" ;;
    -h | --help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//' ;;
    *) die "unknown command: $1 (start|stop|status|env)" ;;
esac
