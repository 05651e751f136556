#!/usr/bin/env bash
# The Go workspace's own checks (src/effects/go.work: the template engine and the render module), with the Go release
# go.work pins (scripts/go-toolchain.mjs): `go vet` and `go test`, for this machine's platform, the built-in CRD
# catalog's test among them. The WebAssembly build
# (scripts/build-wasm.mjs) compiles the same packages for js/wasm; the suite tests what it renders.
set -euo pipefail
cd "$(dirname "$0")/../../src/effects"
go=$(node ../../scripts/go-toolchain.mjs)
packages=(./gotemplate/go/... ./render-module/go/...)
"$go" vet "${packages[@]}"
# TestCatalogCRDs checks every CRD of the built-in catalog (dist/kubernetes/crd-catalog.json) and fails without it:
# built here when the build did not (its releases from the Go module proxy, or the machine's cache). It runs on its
# own, verbose, so that its line with the count and the time it took is printed.
[ -f ../../dist/kubernetes/crd-catalog.json ] || node ../../scripts/crd-catalog.mjs
"$go" test -count=1 -skip '^TestCatalogCRDs$' "${packages[@]}"
"$go" test -count=1 -v -run '^TestCatalogCRDs$' ./render-module/go/
# The build's reader of k8s.io/api's enum values (scripts/kube-openapi.mjs runs it): a module of its own, no dependency.
(cd ../../scripts/kube-enums && "$go" vet . && "$go" test -count=1 .)
