#!/usr/bin/env bash
# Serve the Docker API from podman so that the SAM CLI (which speaks only the Docker API) can
# run Lambda containers. Run setup.sh once first.
#
# Usage: scripts/container-runtime/start-service.sh [start|stop|status|env|acquire PID|release PID]
#   start   start the service in the background unless it already answers, wait until it
#           does, and print the line DOCKER_HOST=unix://... on stdout (default)
#   stop    stop the service this script started
#   status  exit 0 if the service answers, 1 if not
#   env     print the DOCKER_HOST line without starting anything
#   acquire PID  like start, and record process PID as a user of the service
#   release PID  forget user PID; stop the service only if an acquire started it and no
#                live user is left (a test session never stops a service another one uses)
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
USERS="$DIR/users"
LOCKFILE="$DIR/users.lock"
# Present while the running service was started by an acquire: only then may a release stop it.
ACQUIRED="$DIR/started-by-acquire"
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
    # 9>&-: the service must not inherit the lock that acquire and release hold.
    setsid nohup podman --runtime runc system service --time=0 "unix://$SOCKET" \
        >"$LOGFILE" 2>&1 </dev/null 9>&- &
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

# Serialises acquire and release across processes, so a release never stops a service that
# an acquire in another session is about to use.
with_lock() {
    mkdir -p "$DIR"
    chmod 700 "$DIR"
    exec 9>"$LOCKFILE"
    flock 9
    "$@"
}

live_users() {
    local user
    mkdir -p "$USERS"
    for user in "$USERS"/*; do
        [[ -e $user ]] || continue
        if kill -0 "${user##*/}" 2>/dev/null; then
            echo "${user##*/}"
        else
            rm -f "$user"  # a session that died without releasing
        fi
    done
}

acquire() {
    local user=$1 line
    [[ $user =~ ^[0-9]+$ ]] || die "acquire needs the PID of the user"
    if answers; then
        line=$(start) || exit 1
    else
        line=$(start) || exit 1
        touch "$ACQUIRED"
    fi
    mkdir -p "$USERS"
    touch "$USERS/$user"
    echo "$line"
}

release() {
    local user=$1
    [[ $user =~ ^[0-9]+$ ]] || die "release needs the PID of the user"
    rm -f "$USERS/$user"
    if [[ -n $(live_users) ]]; then
        log "podman API service left running for its other users"
        return
    fi
    if [[ -f $ACQUIRED ]]; then
        rm -f "$ACQUIRED"
        stop
    fi
}

case "${1:-start}" in
    start) start ;;
    acquire) with_lock acquire "${2:-}" ;;
    release) with_lock release "${2:-}" ;;
    stop) stop ;;
    status) answers ;;
    env) echo "DOCKER_HOST=unix://$SOCKET" ;;
    -h | --help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//' ;;
    *) die "unknown command: $1 (start|stop|status|env|acquire|release)" ;;
esac
