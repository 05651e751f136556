# shellcheck shell=bash
# Sourced helper: fetch single .debs from Debian trixie WITHOUT touching the system's apt sources.
# A private apt config (own sources.list, lists dir and cache) under "$1" is used only for
# `apt-get download`; nothing is installed through dpkg — callers unpack with `dpkg-deb -x`.
# trixie's InRelease is verified with bookworm's /usr/share/keyrings/debian-archive-keyring.gpg.
#
#   trixie_download <state-dir> <dest-dir> <package>...   -> .debs in <dest-dir>
#   trixie_extract  <dest-dir> <root-dir> <package>...     -> dpkg-deb -x of each <package>_*.deb into <root-dir>

trixie_apt() {   # trixie_apt <state-dir> <apt-get args...>
  local A=$1; shift
  mkdir -p "$A/lists/partial" "$A/cache/archives/partial"
  echo 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main' \
    > "$A/sources.list"
  # Dir::Cache private too, otherwise apt rebuilds /var/cache/apt/pkgcache.bin from the trixie lists.
  # APT::Sandbox::User=root silences "Download is performed unsandboxed as root".
  apt-get -q -o "Dir::Etc::sourcelist=$A/sources.list" -o "Dir::Etc::sourceparts=-" \
    -o "Dir::State::Lists=$A/lists" -o "Dir::Cache=$A/cache" -o "APT::Sandbox::User=root" "$@"
}

trixie_download() {
  local A=$1 dest=$2; shift 2
  mkdir -p "$dest"
  trixie_apt "$A" update -qq
  ( cd "$dest" && trixie_apt "$A" download "$@" >/dev/null )
  rm -rf "$A/lists" "$A/cache"   # ~30 MB of indexes, not needed once the .debs are here
}

trixie_extract() {
  local dest=$1 root=$2 p d; shift 2
  mkdir -p "$root"
  for p in "$@"; do
    for d in "$dest/${p}"_*.deb; do
      [ -f "$d" ] || { echo "trixie_extract: no .deb for $p in $dest" >&2; return 1; }
      dpkg-deb -x "$d" "$root"
    done
  done
}
