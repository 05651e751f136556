#!/usr/bin/env bash
# The renderers' sandbox on a GitHub runner (src/effects/sandbox.ts): bubblewrap, and where the kernel restricts
# unprivileged user namespaces through AppArmor (Ubuntu 24.04: kernel.apparmor_restrict_unprivileged_userns=1) the
# narrow profile Ubuntu recommends, granting `userns` to /usr/bin/bwrap alone. Uses the runner's sudo. A runner where
# none of this can be done gets a warning: `gitops diff` (and `verify --render` on a pull request) then run no
# renderer, each Helm and kustomize deployable render-unavailable with this reason — never unconfined.
set -uo pipefail
# Built into the CLI (the release tarball carries it; a source install builds it with Go), the render module renders
# Helm and kustomize as WebAssembly over the revision in memory: no bubblewrap, no AppArmor profile, no sudo.
# The release carries it gzipped (render.wasm.gz, unzipped on the first render), a source build as render.wasm.
cli=${AMEIDE_ACTION_CLI:-${GITHUB_ACTION_PATH:-.}/bin/run.js}
module="$(dirname "$cli")/../dist/render-module/render.wasm"
if { [ -f "$module" ] || [ -f "$module.gz" ]; } && [ "${AMEIDE_RENDERER:-}" != native ]; then
  echo "sandbox: not needed, the render module renders helm and kustomize"
  exit 0
fi
[ "$(uname -s)" = Linux ] || { echo "sandbox: not Linux: helm and kustomize will not run on untrusted revisions"; exit 0; }
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo -n"
warn() { echo "::warning title=ameide sandbox::$*"; exit 0; }

if ! command -v bwrap >/dev/null 2>&1; then
  $SUDO apt-get install -y -qq --no-install-recommends bubblewrap >/dev/null 2>&1 \
    || { $SUDO apt-get update -qq >/dev/null 2>&1 && $SUDO apt-get install -y -qq --no-install-recommends bubblewrap >/dev/null 2>&1; } \
    || warn "bubblewrap could not be installed (apt-get install bubblewrap): untrusted revisions are not rendered with helm or kustomize"
fi
BWRAP=$(command -v bwrap)
if [ "$(cat /proc/sys/kernel/apparmor_restrict_unprivileged_userns 2>/dev/null || echo 0)" = 1 ] \
  && [ ! -e /etc/apparmor.d/ameide-bwrap ]; then
  profile=$(printf '%s\n' 'abi <abi/4.0>,' 'include <tunables/global>' '' \
    "profile ameide-bwrap ${BWRAP} flags=(unconfined) {" '  userns,' '}')
  { printf '%s\n' "$profile" | $SUDO tee /etc/apparmor.d/ameide-bwrap >/dev/null \
    && $SUDO apparmor_parser -r /etc/apparmor.d/ameide-bwrap; } \
    || warn "the AppArmor profile for ${BWRAP} could not be loaded: untrusted revisions are not rendered with helm or kustomize"
fi
# The same trial ameide makes (effects/sandbox.ts probe): new namespaces, /usr only, `true` inside.
if "$BWRAP" --unshare-all --die-with-parent --new-session --clearenv --ro-bind /usr /usr \
  --symlink usr/lib /lib --symlink usr/lib64 /lib64 --symlink usr/bin /bin --proc /proc --dev /dev -- /usr/bin/true; then
  echo "sandbox: $("$BWRAP" --version) makes its namespaces here"
else
  warn "bubblewrap cannot make its namespaces on this runner: untrusted revisions are not rendered with helm or kustomize"
fi
