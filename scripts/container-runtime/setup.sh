#!/usr/bin/env bash
# Prepare a container runtime that `sam local invoke` / `sam local start-api` can use on a
# machine with no Docker engine and no container registry: Debian's podman (serving the Docker
# API, see start-service.sh) plus locally built stand-ins for the AWS Lambda python3.13 images:
# one for the host's architecture and, on an x86_64 host, one for arm64 that runs under qemu
# user-mode emulation (binfmt_misc), so the arm64 build that `sam deploy` ships is executed too.
#
# Idempotent and non-interactive (CI=true, no stdin). Does nothing when a real Docker engine
# answers, so developers with Docker keep using the genuine AWS image.
#
# Usage: scripts/container-runtime/setup.sh [--rebuild]
#   --rebuild   ignore the cached image tarballs and build the stand-in images again
#
# Environment:
#   SKLAMBDA_DEBIAN_MIRROR     Debian mirror for debootstrap (default: the one apt uses)
#   SKLAMBDA_FORCE_STANDIN=1   set up podman even if a Docker engine answers
#   CI=true                    fail, rather than skip the arm64 image, when arm64 binaries
#                              cannot be executed here
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/sklambda"
CONTAINERS_CONF=/etc/containers/containers.conf
PY_VERSION=3.13
IMAGE_REPO=public.ecr.aws/lambda/python
# The Debian release whose own python3.13 package (with the libraries it links) goes into the
# image, for either architecture; libgomp for scikit-learn's OpenMP code.
IMAGE_SUITE=trixie
IMAGE_PACKAGES=python$PY_VERSION,ca-certificates,libgomp1
APT_PACKAGES=(podman runc conmon netavark aardvark-dns catatonit iptables debootstrap curl ca-certificates)
# Executes arm64 binaries on an x86_64 host; update-binfmts registers the emulator.
EMULATION_PACKAGES=(qemu-user-static binfmt-support)
BINFMT_DIR=/proc/sys/fs/binfmt_misc
# The ELF header of an aarch64 executable, as binfmt_misc registrations spell it.
AARCH64_MAGIC=7f454c460201010000000000000000000200b700

REBUILD=0
for arg in "$@"; do
    case "$arg" in
        --rebuild) REBUILD=1 ;;
        -h | --help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown argument: $arg" >&2; exit 2 ;;
    esac
done

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# A genuine Docker engine (local socket, context or DOCKER_HOST) makes all of this unnecessary.
real_docker_answers() {
    [[ ${SKLAMBDA_FORCE_STANDIN:-0} == 1 ]] && return 1
    local components=""
    if command -v docker >/dev/null; then
        components=$(timeout 10 docker version --format '{{range .Server.Components}}{{.Name}};{{end}}' 2>/dev/null) || components=""
    fi
    if [[ -z $components && -S /var/run/docker.sock ]] && command -v curl >/dev/null; then
        components=$(timeout 10 curl -fsS --unix-socket /var/run/docker.sock http://docker/version 2>/dev/null) || components=""
    fi
    [[ -n $components && $components != *Podman* ]]
}

host_arch() {
    case "$(uname -m)" in
        x86_64 | amd64) echo x86_64 ;;
        aarch64 | arm64) echo arm64 ;;
        *) die "unsupported host architecture $(uname -m)" ;;
    esac
}

install_packages() {
    local missing=()
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
    done
    if [[ ${#missing[@]} -eq 0 ]]; then
        log "apt packages already installed"
        return
    fi
    log "installing with apt: ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
}

# Set KEY = VALUE inside [SECTION] of a TOML file, keeping every other line as it was.
# Replaces an existing (possibly multi-line) assignment of KEY and drops duplicates of it.
toml_set() {
    local file=$1 section=$2 key=$3 value=$4 tmp
    tmp=$(mktemp)
    [[ -f $file ]] || : >"$file"
    awk -v sec="$section" -v key="$key" -v val="$value" '
        function header(line) { sub(/^[ \t]*\[/, "", line); sub(/\][ \t]*(#.*)?$/, "", line); return line }
        /^[ \t]*\[[^]]+\][ \t]*(#.*)?$/ {
            if (insec && !done) { print key " = " val; done = 1 }
            insec = (header($0) == sec); skipping = 0
            print; next
        }
        skipping { if ($0 ~ /\]/) skipping = 0; next }
        insec && $0 ~ ("^[ \t]*" key "[ \t]*=") {
            if (!done) { print key " = " val; done = 1 }
            rest = $0; sub(/^[^=]*=/, "", rest)
            if (rest ~ /\[/ && rest !~ /\]/) skipping = 1
            next
        }
        { print }
        END {
            if (!done) {
                if (!insec) { if (NR > 0) print ""; print "[" sec "]" }
                print key " = " val
            }
        }' "$file" >"$tmp"
    if cmp -s "$tmp" "$file"; then
        rm -f "$tmp"
        return 1
    fi
    cat "$tmp" >"$file"
    rm -f "$tmp"
}

configure_podman() {
    mkdir -p "$(dirname "$CONTAINERS_CONF")"
    local changed=0
    # podman's default nofile ulimit (1048576) is above this sandbox's hard limit, so runc
    # fails with "error setting rlimit type 7: operation not permitted"; [] keeps the
    # inherited limits.
    toml_set "$CONTAINERS_CONF" containers default_ulimits '[]' && changed=1
    # No pids cgroup limit: part of the configuration found to work on this machine kind, and
    # a limit protects nothing in a throwaway Lambda container.
    toml_set "$CONTAINERS_CONF" containers pids_limit 0 && changed=1
    # crun cannot create containers under this machine's cgroup v1 setup (and apt picks runc
    # to satisfy podman's dependency, so crun is not even installed): make plain `podman run`
    # work too, not only the API service, which passes --runtime runc itself.
    toml_set "$CONTAINERS_CONF" engine runtime '"runc"' && changed=1
    if [[ $changed == 1 ]]; then
        log "updated $CONTAINERS_CONF (default_ulimits, pids_limit, runtime)"
    else
        log "$CONTAINERS_CONF already configured"
    fi
}

# A Python with pip on the host installs the image's pinned wheels for the image's platform.
find_host_python() {
    local root=${PYENV_ROOT:-$HOME/.pyenv} candidate
    for candidate in $(ls -d "$root"/versions/"$PY_VERSION".*/bin/python"$PY_VERSION" 2>/dev/null | sort -rV) \
        "$(command -v "python$PY_VERSION")" "$(command -v python3)"; do
        [[ -n $candidate ]] && "$candidate" -m pip --version >/dev/null 2>&1 && echo "$candidate" && return
    done
    die "no Python with pip on this machine (install python3-pip)"
}

debian_arch() { if [[ $1 == x86_64 ]]; then echo amd64; else echo arm64; fi; }
wheel_arch() { if [[ $1 == x86_64 ]]; then echo x86_64; else echo aarch64; fi; }

# One line saying why arm64 binaries cannot run here, or nothing when they can. The F flag
# (the kernel opens the emulator at registration) lets it run inside chroots and containers.
emulation_problem() {
    local entry
    [[ -e $BINFMT_DIR/register ]] || { echo "binfmt_misc is not mounted at $BINFMT_DIR"; return; }
    for entry in "$BINFMT_DIR"/*; do
        [[ -f $entry ]] && grep -qx enabled "$entry" 2>/dev/null \
            && grep -qx "magic $AARCH64_MAGIC" "$entry" || continue
        grep -q '^flags:.*F' "$entry" && return
        echo "the aarch64 emulator $(basename "$entry") is registered without the F flag"
        return
    done
    echo "no aarch64 emulator is registered with binfmt_misc"
}

ensure_emulation() {
    install_packages "${EMULATION_PACKAGES[@]}" >&2
    if [[ ! -e $BINFMT_DIR/register ]]; then
        mount -t binfmt_misc binfmt_misc "$BINFMT_DIR" 2>/dev/null || true
    fi
    # The package registers the emulator only if binfmt_misc was mounted when it was installed.
    [[ -z $(emulation_problem) ]] || update-binfmts --enable qemu-aarch64 >/dev/null 2>&1 || true
    local problem
    problem=$(emulation_problem)
    [[ -z $problem ]] && return
    echo "$problem"
    return 1
}

debian_mirror() {
    if [[ -n ${SKLAMBDA_DEBIAN_MIRROR:-} ]]; then
        echo "$SKLAMBDA_DEBIAN_MIRROR"
        return
    fi
    local uri
    uri=$(grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' | grep -v security | head -1)
    [[ -n $uri ]] || uri=$(grep -hs '^deb ' /etc/apt/sources.list | awk '{print $2}' | grep -v security | head -1)
    echo "${uri:-http://deb.debian.org/debian}"
}

# Everything that determines the image's content; a change gives a new tarball name.
recipe_key() {
    local arch=$1
    {
        # declare -f prints the code without comments, so editing comments keeps the cache.
        declare -f build_rootfs build_image debian_arch wheel_arch
        cat "$HERE/requirements-ric.txt" "$HERE/requirements-sdk.txt"
        echo "$PY_VERSION $IMAGE_PACKAGES $IMAGE_SUITE $arch"
    } | sha256sum | cut -c1-16
}

image_label() {
    podman image inspect --format '{{index .Labels "org.sklambda.recipe"}}' "$1" 2>/dev/null || true
}

build_rootfs() {
    local rootfs=$1 arch=$2 logfile=$3 mirror host_python
    mirror=$(debian_mirror)
    host_python=$(find_host_python)
    log "debootstrap $IMAGE_SUITE for $(debian_arch "$arch") from $mirror (log: $logfile)"
    # For arm64 on an x86_64 host, debootstrap's second stage runs under the registered emulator.
    debootstrap --arch="$(debian_arch "$arch")" --variant=minbase --include="$IMAGE_PACKAGES" \
        "$IMAGE_SUITE" "$rootfs" "$mirror" >>"$logfile" 2>&1 \
        || die "debootstrap failed; see $logfile"
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* \
        "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/locale/*

    # The managed runtime's interpreter lives in /var/lang; Debian's stays where it was installed.
    local lib=lib/python$PY_VERSION
    mkdir -p "$rootfs/var/lang/bin" "$rootfs/var/lang/$lib/site-packages" "$rootfs/var/runtime" \
        "$rootfs/var/task" "$rootfs/opt"
    ln -sf "/usr/bin/python$PY_VERSION" "$rootfs/var/lang/bin/python$PY_VERSION"
    ln -sf "python$PY_VERSION" "$rootfs/var/lang/bin/python3"
    ln -sf "python$PY_VERSION" "$rootfs/var/lang/bin/python"

    log "installing the runtime interface client and the SDK (pinned $(wheel_arch "$arch") wheels)"
    local platforms=() tag
    for tag in manylinux2014 manylinux_2_28 manylinux_2_34; do
        platforms+=(--platform "${tag}_$(wheel_arch "$arch")")
    done
    local pip=("$host_python" -m pip install --quiet --disable-pip-version-check --no-compile
        --only-binary=:all: --no-warn-script-location --implementation cp
        --python-version "$PY_VERSION" "${platforms[@]}")
    "${pip[@]}" --target "$rootfs/var/runtime" -r "$HERE/requirements-ric.txt" >>"$logfile" 2>&1 \
        || die "pip install into /var/runtime failed; see $logfile"
    "${pip[@]}" --target "$rootfs/var/lang/$lib/site-packages" -r "$HERE/requirements-sdk.txt" >>"$logfile" 2>&1 \
        || die "pip install into site-packages failed; see $logfile"
    rm -rf "$rootfs/var/runtime/bin" "$rootfs/var/lang/$lib/site-packages/bin"

    # Same search order as the managed python3.13 runtime: function code, then layers, then
    # the runtime's own SDK, then the runtime interface client.
    cat >"$rootfs/var/runtime/bootstrap" <<'EOF'
#!/bin/sh
export PYTHONPATH="/var/task:/opt/python/lib/python3.13/site-packages:/opt/python:/var/lang/lib/python3.13/site-packages:/var/runtime${PYTHONPATH:+:$PYTHONPATH}"
exec /var/lang/bin/python3.13 -m awslambdaric "$_HANDLER"
EOF
    chmod 755 "$rootfs/var/runtime/bootstrap"

    # Byte-compile inside the image (under emulation for arm64): the bytecode comes from the
    # image's own interpreter and its code objects carry the in-container paths.
    chroot "$rootfs" "/var/lang/bin/python$PY_VERSION" -m compileall -q -j 0 \
        /var/runtime "/var/lang/$lib/site-packages" >>"$logfile" 2>&1 || true
    chroot "$rootfs" /usr/bin/env PYTHONPATH="/var/runtime:/var/lang/$lib/site-packages" "/var/lang/bin/python$PY_VERSION" -c \
        'import ssl, sqlite3, ctypes, bz2, lzma, json, platform, boto3, awslambdaric; print(platform.machine(), platform.python_version())' \
        >>"$logfile" 2>&1 || die "the image's interpreter cannot import its standard modules; see $logfile"
}

build_image() {
    local image=$1 key=$2 arch=$3 tarball=$4 work logfile
    work=$(mktemp -d "${TMPDIR:-/tmp}/sklambda-image.XXXXXX")
    logfile="$CACHE_DIR/build-$arch-$key.log"
    : >"$logfile"
    # shellcheck disable=SC2064 # expand now: the variable is local
    trap "rm -rf '$work'" EXIT
    local started=$SECONDS
    build_rootfs "$work/rootfs" "$arch" "$logfile"

    log "importing the tree as $image"
    tar -C "$work/rootfs" --numeric-owner -cf - . | podman import --quiet \
        --arch "$(debian_arch "$arch")" \
        --change "ENV PATH=/var/lang/bin:/usr/local/bin:/usr/bin:/bin" \
        --change "ENV LANG=C.UTF-8" \
        --change "ENV TZ=:UTC" \
        --change "ENV LD_LIBRARY_PATH=/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib" \
        --change "ENV LAMBDA_TASK_ROOT=/var/task" \
        --change "ENV LAMBDA_RUNTIME_DIR=/var/runtime" \
        --change "WORKDIR /var/task" \
        --change "LABEL org.sklambda.recipe=$key" \
        --change "LABEL org.sklambda.description=local stand-in for the AWS Lambda python$PY_VERSION $arch base image" \
        - "$image" >/dev/null
    rm -rf "$work"
    trap - EXIT

    log "caching the image as $tarball"
    podman save --quiet --format docker-archive -o "$tarball.part" "$image" >/dev/null
    mv "$tarball.part" "$tarball"
    log "built in $((SECONDS - started)) s"
}

# SAM derives images (the runtime interface emulator on top, plus one per set of layers) and
# reuses them under --skip-pull-image without looking at the base again, so drop them.
remove_derived_images() {
    local ref pattern="^(.*/)?(public\.ecr\.aws/lambda/python:$PY_VERSION-rapid-$1|samcli/lambda-python:$PY_VERSION-$1-)"
    for ref in $(podman images --format '{{.Repository}}:{{.Tag}}'); do
        [[ $ref =~ $pattern ]] || continue
        log "removing SAM's derived image $ref"
        podman rmi --force "$ref" >/dev/null || true
    done
}

ensure_image() {
    local arch=$1 key image tarball previous
    image="$IMAGE_REPO:$PY_VERSION-$arch"
    previous=$(podman image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)
    key=$(recipe_key "$arch")
    tarball="$CACHE_DIR/lambda-python$PY_VERSION-$arch-$key.tar"
    mkdir -p "$CACHE_DIR"

    if [[ $REBUILD == 0 && $(image_label "$image") == "$key" ]]; then
        log "image $image is current (recipe $key)"
        return
    fi
    if [[ $REBUILD == 0 && -s $tarball ]]; then
        log "loading cached image $tarball"
        podman load -q -i "$tarball" >/dev/null
        if [[ $(image_label "$image") != "$key" ]]; then
            log "cached tarball did not yield $image; rebuilding"
            build_image "$image" "$key" "$arch" "$tarball"
        fi
    else
        build_image "$image" "$key" "$arch" "$tarball"
    fi
    remove_derived_images "$arch"
    if [[ -n $previous && $previous != $(podman image inspect --format '{{.Id}}' "$image") ]]; then
        podman rmi "$previous" >/dev/null 2>&1 || true
    fi
    # Keep only the current recipe's files; older recipes are never loaded again.
    find "$CACHE_DIR" -maxdepth 1 \( -name "lambda-python$PY_VERSION-$arch-*.tar" -o -name "build-$arch-*.log" \) \
        ! -name "$(basename "$tarball")" ! -name "build-$arch-$key.log" -delete
    log "image $image ready (recipe $key)"
}

main() {
    if real_docker_answers; then
        log "a Docker engine answers: sam local will use the real AWS images; nothing to do"
        exit 0
    fi
    [[ $(uname -s) == Linux ]] || die "the podman stand-in is for Linux; install Docker instead"
    command -v apt-get >/dev/null || die "apt-get not found: this script supports Debian-based machines"
    [[ $(id -u) -eq 0 ]] || die "run as root: building the image needs debootstrap and rootful podman"

    local started=$SECONDS host problem
    host=$(host_arch)
    install_packages "${APT_PACKAGES[@]}"
    configure_podman
    ensure_image "$host"
    if [[ $host != arm64 ]]; then
        if problem=$(ensure_emulation); then
            ensure_image arm64
        elif [[ ${CI:-} == true ]]; then
            die "CI must run the arm64 tier, but arm64 binaries cannot run here: $problem"
        else
            log "no arm64 image: $problem; the arm64 tier of tests/local will skip"
        fi
    fi
    log "container runtime ready in $((SECONDS - started)) s; start the API with $HERE/start-service.sh start"
}

main
