#!/usr/bin/env bash
# docker-engine.sh - a PRIVATE Docker engine (dockerd + its own containerd) + the buildx plugin (+ an optional
# throwaway registry) for CI and tests on Debian 12 (bookworm) x86_64, as root, offline except deb.debian.org.
# Not needed by the default test suite (buildah does the builds there); use it to exercise
# `docker buildx build --push --metadata-file` paths against a real engine. Measured facts: docs/toolchain.md.
#
#   scripts/ci/docker-engine.sh install      # apt docker.io (+ trixie buildx plugin) — idempotent
#   scripts/ci/docker-engine.sh start        # dockerd (+ registry, + busybox base image); prints env to eval
#   scripts/ci/docker-engine.sh stop         # stops only what `start` launched (by PID), removes docker0
#   eval "$(scripts/ci/docker-engine.sh env)"   # DOCKER_HOST, DOCKER_CONFIG, REGISTRY
#
# Engine variants (ENGINE=...):
#   bookworm (default)  docker.io 20.10.24 + containerd 1.6.20 from bookworm apt, classic image store.
#                       SUPPORTS: `docker buildx build --push --metadata-file m.json` -> m.json
#                       "containerimage.digest" == the registry's Docker-Content-Digest (single schema2 manifest).
#                       DOES NOT support attestations (`--provenance=true|mode=*`, `--sbom=true`, `--attest` ->
#                       "Attestation is not supported for the docker driver") nor multi-platform builds.
#                       `--provenance=false` / `--sbom=false` are accepted.
#   trixie              docker.io 26.1.5 + containerd 1.7.24 from trixie .debs (dpkg-deb -x into .tools, run on
#                       bookworm's libc + runc) with the containerd image store ("containerd-snapshotter").
#                       SUPPORTS provenance attestations (min by default -> the pushed tag is an OCI INDEX and
#                       containerimage.digest is the index digest), multi-platform (--platform a,b), and SBOM
#                       only with a LOCAL generator image (--sbom=generator=localhost/...; the default scanner is
#                       on Docker Hub). Pass --provenance=false to get a plain single manifest.
#   Neither: the docker-container driver (needs moby/buildkit from Docker Hub; no Debian package has buildkitd).
#
# Knobs (env): DCI=/tmp/ameide-docker (state: data-root, exec-root, socket, logs, registry, DOCKER_CONFIG)
#              ENGINE=bookworm|trixie   START_REGISTRY=1|0   REG_AUTH=none|htpasswd (REG_USER, REG_PASS)   BASE_IMAGE=1|0
#              AMEIDE_TOOLS_DIR=<repo>/.tools (trixie .debs, buildx plugin, extracted trixie engine)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TOOLS_DIR=${AMEIDE_TOOLS_DIR:-$ROOT/.tools}
DCI=${DCI:-/tmp/ameide-docker}
ENGINE=${ENGINE:-bookworm}
START_REGISTRY=${START_REGISTRY:-1}
REG_AUTH=${REG_AUTH:-none}
REG_USER=${REG_USER:-ciuser}
REG_PASS=${REG_PASS:-ci-pass}
BASE_IMAGE=${BASE_IMAGE:-1}
SOCK=$DCI/docker.sock
DOCKER_CFG=$DCI/docker-config            # throwaway DOCKER_CONFIG: credentials from `docker login` stay in /tmp
PLUGIN=$TOOLS_DIR/docker/cli-plugins/docker-buildx
TRIXIE_ROOT=$TOOLS_DIR/docker-trixie-root
export DEBIAN_FRONTEND=noninteractive
# shellcheck source=scripts/ci/trixie-apt.sh
. "$HERE/trixie-apt.sh"

log() { printf '[docker-engine %(%T)T] %s\n' -1 "$*" >&2; }
dk() { DOCKER_HOST=unix://$SOCK DOCKER_CONFIG=$DOCKER_CFG docker "$@"; }
installed() { dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null | grep -qx installed; }
free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }

cmd_install() {
  [ "$(id -u)" = 0 ] || { echo "docker-engine.sh install: run as root" >&2; exit 1; }
  local pkgs=(docker-registry busybox-static iptables curl) missing=() p
  if [ "$ENGINE" = bookworm ]; then pkgs+=(docker.io); else pkgs+=(runc tini); fi
  [ "$REG_AUTH" = htpasswd ] && pkgs+=(apache2-utils)
  for p in "${pkgs[@]}"; do installed "$p" || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    log "apt-get install ${missing[*]}"
    apt-get -o DPkg::Lock::Timeout=300 update -qq
    # docker.io's postinst starts nothing here (no systemd, policy-rc.d); we run our own dockerd.
    apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  local want=()
  [ -x "$PLUGIN" ] || want+=(docker-buildx)
  [ "$ENGINE" = trixie ] && [ ! -x "$TRIXIE_ROOT/usr/sbin/dockerd" ] && want+=(docker.io containerd)
  command -v docker >/dev/null || [ -x "$TOOLS_DIR/bin/docker" ] || want+=(docker-cli)  # trixie docker.io has no CLI
  if [ ${#want[@]} -gt 0 ]; then
    log "trixie .debs: ${want[*]}"
    trixie_download "$TOOLS_DIR/apt-trixie" "$TOOLS_DIR/docker-debs" "${want[@]}"
    trixie_extract "$TOOLS_DIR/docker-debs" "$TRIXIE_ROOT" "${want[@]}"
    mkdir -p "$(dirname "$PLUGIN")" "$TOOLS_DIR/bin"
    [ -x "$PLUGIN" ] || install -m 0755 "$TRIXIE_ROOT/usr/libexec/docker/cli-plugins/docker-buildx" "$PLUGIN"
    if ! command -v docker >/dev/null && [ ! -x "$TOOLS_DIR/bin/docker" ]; then
      ln -sf "$TRIXIE_ROOT/usr/bin/docker" "$TOOLS_DIR/bin/docker"
    fi
  fi
  PATH=$TOOLS_DIR/bin:$PATH DOCKER_CONFIG=$(dirname "$(dirname "$PLUGIN")") docker buildx version >&2
}

cmd_start() {
  [ "$(id -u)" = 0 ] || { echo "docker-engine.sh start: run as root" >&2; exit 1; }
  export PATH=$TOOLS_DIR/bin:$PATH
  [ -x "$PLUGIN" ] || { echo "buildx plugin missing: run scripts/ci/docker-engine.sh install" >&2; exit 1; }
  if [ -f "$DCI/dockerd.launch.pid" ] && kill -0 "$(cat "$DCI/dockerd.launch.pid")" 2>/dev/null; then
    log "already running"; cmd_env; return 0
  fi
  mkdir -p "$DCI/data" "$DCI/exec" "$DCI/logs" "$DOCKER_CFG/cli-plugins"
  ln -sf "$PLUGIN" "$DOCKER_CFG/cli-plugins/docker-buildx"
  # --iptables=false: host iptables untouched; the docker0 bridge is still created, so RUN steps work.
  # (--bridge=none would break BuildKit RUN with "network bridge not found".)
  local args=(--data-root "$DCI/data/$ENGINE" --exec-root "$DCI/exec" --pidfile "$DCI/dockerd.pid" -H "unix://$SOCK"
              --iptables=false --ip6tables=false)   # data-root per engine: never share one across engines/drivers
  local path=$PATH
  if [ "$ENGINE" = trixie ]; then
    [ -x "$TRIXIE_ROOT/usr/sbin/dockerd" ] || { echo "trixie engine missing: ENGINE=trixie $0 install" >&2; exit 1; }
    echo '{"features":{"containerd-snapshotter":true}}' > "$DCI/daemon.json"
    args+=(--config-file "$DCI/daemon.json")
    path=$TRIXIE_ROOT/usr/bin:$TRIXIE_ROOT/usr/sbin:$PATH   # dockerd 26 + containerd 1.7; runc from bookworm
  fi
  log "starting dockerd ($ENGINE)"
  PATH=$path dockerd "${args[@]}" > "$DCI/logs/dockerd.log" 2>&1 < /dev/null &
  echo $! > "$DCI/dockerd.launch.pid"
  local i
  for i in $(seq 300); do
    dk version > /dev/null 2>&1 && break
    kill -0 "$(cat "$DCI/dockerd.launch.pid")" 2>/dev/null || { tail -20 "$DCI/logs/dockerd.log" >&2; return 1; }
    sleep 0.1
  done
  dk version > /dev/null

  if [ "$START_REGISTRY" = 1 ]; then
    local port; port=$(free_port)
    mkdir -p "$DCI/registry"
    cat > "$DCI/registry/config.yml" <<YML
version: 0.1
log: {level: warn, accesslog: {disabled: true}}
storage:
  filesystem: {rootdirectory: $DCI/registry/data}
  delete: {enabled: true}
http: {addr: "127.0.0.1:$port", secret: test-only-secret}
YML
    if [ "$REG_AUTH" = htpasswd ]; then
      printf '%s\n' "$REG_PASS" | htpasswd -niB "$REG_USER" > "$DCI/registry/htpasswd"   # password via stdin, not argv
      printf 'auth:\n  htpasswd: {realm: ci-registry, path: %s}\n' "$DCI/registry/htpasswd" >> "$DCI/registry/config.yml"
    fi
    docker-registry serve "$DCI/registry/config.yml" > "$DCI/logs/registry.log" 2>&1 < /dev/null &
    echo $! > "$DCI/registry.pid"
    for i in $(seq 100); do
      curl -s -o /dev/null "http://127.0.0.1:$port/v2/" && break   # 200, or 401 with auth
      sleep 0.05
    done
    echo "127.0.0.1:$port" > "$DCI/registry.addr"
    if [ "$REG_AUTH" = htpasswd ]; then
      printf '%s' "$REG_PASS" | dk login -u "$REG_USER" --password-stdin "127.0.0.1:$port" > /dev/null 2>&1
    fi
  fi

  if [ "$BASE_IMAGE" = 1 ] && ! dk image inspect localhost/busybox:base > /dev/null 2>&1; then
    local r=$DCI/busybox-rootfs; rm -rf "$r"; mkdir -p "$r/bin" "$r/etc" "$r/tmp"
    cp /bin/busybox "$r/bin/busybox"
    for a in $("$r/bin/busybox" --list); do [ "$a" = busybox ] || ln -s busybox "$r/bin/$a"; done
    echo 'root:x:0:0:root:/root:/bin/sh' > "$r/etc/passwd"; echo 'root:x:0:' > "$r/etc/group"
    tar -C "$r" -c . | dk import -c 'ENV PATH=/bin' -c 'CMD ["/bin/sh"]' - localhost/busybox:base > /dev/null
  fi
  log "dockerd pid $(cat "$DCI/dockerd.launch.pid"), registry $(cat "$DCI/registry.addr" 2>/dev/null || echo none)"
  cmd_env
}

cmd_env() {
  echo "export DOCKER_HOST=unix://$SOCK"
  echo "export DOCKER_CONFIG=$DOCKER_CFG"
  [ -x "$TOOLS_DIR/bin/docker" ] && echo "export PATH=\"$TOOLS_DIR/bin:\$PATH\""
  [ -f "$DCI/registry.addr" ] && echo "export REGISTRY=$(cat "$DCI/registry.addr")"
  return 0
}

stop_pid() {   # stop_pid <pidfile> <name>: TERM, wait up to 20 s, then KILL
  local f=$1 p i
  [ -f "$f" ] || return 0
  p=$(cat "$f")
  if kill -0 "$p" 2>/dev/null; then
    kill -TERM "$p"
    for i in $(seq 200); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$p" 2>/dev/null && { log "$2 ($p) did not stop, KILL"; kill -KILL "$p"; }
  fi
  rm -f "$f"
}

cmd_stop() {
  if [ -f "$DCI/registry.addr" ] && [ -S "$SOCK" ]; then dk logout "$(cat "$DCI/registry.addr")" > /dev/null 2>&1 || true; fi
  stop_pid "$DCI/registry.pid" registry
  stop_pid "$DCI/dockerd.launch.pid" dockerd   # dockerd stops its own containerd + shims
  rm -f "$DCI/dockerd.pid" "$DCI/registry.addr"
  rm -rf "$DCI/registry"                        # throwaway registry storage + htpasswd
  for ns in "$DCI"/exec/netns/*; do umount "$ns" 2>/dev/null || true; done   # nsfs bind mounts dockerd may leave behind
  ip link del docker0 2>/dev/null || true
  log stopped
}

case ${1:-} in
  install) cmd_install ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  env) cmd_env ;;
  *) echo "usage: $0 install|start|stop|env" >&2; exit 2 ;;
esac
