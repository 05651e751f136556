package main

import (
	"runtime/debug"

	"sigs.k8s.io/kustomize/api/provenance"

	"helm.sh/helm/v4/pkg/chart/common"
)

// helmVersion is what `helm version --short` says of the Helm these packages are (the build sets it, as Helm's own
// release build does, through -ldflags -X helm.sh/helm/v4/internal/version.*).
func helmVersion() string {
	v := common.DefaultCapabilities.HelmVersion
	if v.GitCommit != "" && len(v.GitCommit) >= 7 {
		return v.Version + "+g" + v.GitCommit[:7]
	}
	return v.Version
}

// kustomizeVersion is the kustomize/kustomize/v5 module this module was built with, as `kustomize version` says it.
func kustomizeVersion() string {
	if v := moduleVersion("sigs.k8s.io/kustomize/kustomize/v5"); v != "" {
		return v
	}
	return provenance.GetProvenance().Semver()
}

// moduleVersion is the version of a module this module was built with ("" when it is not one of them).
func moduleVersion(path string) string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, m := range info.Deps {
			if m.Path == path {
				return m.Version
			}
		}
	}
	return ""
}
