//go:build (js && wasm) || ameide_helper

package main

// kustomize's Helm inflator (`helmCharts`, HelmChartInflationGenerator) with the Helm this module links instead of a
// helm binary: the upstream generator, patched (_overlay/kustomize), calls kustomizeHelm where it would execute
// `helm template`. The chart is read where kustomize looks for it on the build's file system (the request's tree);
// nothing is executed, pulled or written. Only in the builds made with the overlay (render.wasm, the native helper):
// upstream's types has no HelmInProcess.

import (
	"bytes"
	"errors"
	"fmt"

	"helm.sh/helm/v4/pkg/chart/v2/loader"
	"sigs.k8s.io/kustomize/api/types"
)

type kustomizeHelm struct{}

func init() { types.HelmInProcess = kustomizeHelm{} }

// IsChartDir is the generator's chartExistsLocally (os.Stat(path).IsDir()) on the request's tree.
func (kustomizeHelm) IsChartDir(path string) bool { return isDir(path) }

// Template is `helm template` with the arguments of HelmChart.AsHelmArgs: the release, the chart folder,
// --namespace, each -f (here its bytes), --api-versions, --kube-version, --include-crds, --skip-tests, --no-hooks.
func (kustomizeHelm) Template(c types.HelmChart, chartPath string, values [][]byte) ([]byte, error) {
	if c.ReleaseName == "" || c.NameTemplate != "" {
		return nil, errors.New("the chart has no releaseName (or has a nameTemplate): helm template would name the release itself (--generate-name, by the clock), so what it renders is not reproducible and it is not rendered here")
	}
	r := &HelmTemplate{
		Release:     c.ReleaseName,
		Chart:       chartPath,
		Namespace:   c.Namespace,
		KubeVersion: c.KubeVersion,
		APIVersions: c.ApiVersions,
		IncludeCrds: c.IncludeCRDs,
		SkipTests:   c.SkipTests,
	}
	f, err := flagsOf(r)
	if err != nil {
		return nil, err
	}
	f.noHooks = c.SkipHooks
	caps, err := capabilities(f)
	if err != nil {
		return nil, err
	}
	vals := map[string]any{}
	for i, raw := range values {
		current, err := loader.LoadValues(bytes.NewReader(raw))
		if err != nil {
			return nil, fmt.Errorf("failed to parse values file %d of chart %s: %w", i+1, c.Name, err)
		}
		vals = loader.MergeMaps(vals, current)
	}
	var out bytes.Buffer
	if err := templateWith(r, f, caps, vals, &out); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}
