#!/usr/bin/env bash
# The Go workspace's own checks (src/effects/go.work: the template engine and the render module), with the Go release
# go.work pins (scripts/go-toolchain.mjs): `go vet` and `go test`, for this machine's platform. The WebAssembly build
# (scripts/build-wasm.mjs) compiles the same packages for js/wasm; the suite tests what it renders.
set -euo pipefail
cd "$(dirname "$0")/../../src/effects"
go=$(node ../../scripts/go-toolchain.mjs)
packages=(./gotemplate/go/... ./render-module/go/...)
"$go" vet "${packages[@]}"
"$go" test -count=1 "${packages[@]}"
