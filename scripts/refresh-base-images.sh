#!/usr/bin/env bash
# Refreshes templates/base-images.json, the digest-pinned base images `ameide primitive scaffold` writes: for each
# entry, the digest the registry now serves for its tag (the multi-platform index, as `docker pull` resolves it),
# read with skopeo (installed by scripts/setup.sh) and computed from the manifest's own bytes. Run once per release
# on a machine that reaches the registries (Docker Hub), review the diff, commit it.
#   bash scripts/refresh-base-images.sh [--check]    --check: exit 1 when an entry's tag now serves another digest
set -euo pipefail
cd "$(dirname "$0")/.."
table=templates/base-images.json
check=0
[ "${1:-}" = --check ] && check=1
changed=0
for name in $(node -p 'Object.keys(require("./'"$table"'")).filter((k) => !k.startsWith("$")).join(" ")'); do
  ref=$(node -p 'require("./'"$table"'")["'"$name"'"]')
  image=${ref%@*}
  digest="sha256:$(skopeo inspect --raw "docker://$image" | sha256sum | cut -d' ' -f1)"
  if [ "$image@$digest" != "$ref" ]; then
    changed=1
    echo "$name: $ref -> $image@$digest" >&2
    [ "$check" = 1 ] && continue
    node -e 'const fs = require("fs"); const [file, name, value] = process.argv.slice(1);
      const table = JSON.parse(fs.readFileSync(file, "utf8")); table[name] = value;
      fs.writeFileSync(file, JSON.stringify(table, null, 2) + "\n")' "$table" "$name" "$image@$digest"
  fi
done
[ "$check" = 1 ] && exit "$changed"
exit 0
