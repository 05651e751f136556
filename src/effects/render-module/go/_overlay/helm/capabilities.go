/*
Copyright The Helm Authors.
Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

// ameide overlay (src/effects/render-module/go/_overlay/overlay.json): Helm v4.1.4's file, but DefaultVersionSet is
// the list allKnownVersions computes from client-go v0.35.1's scheme (with apiextensions v1beta1 and v1), pinned here,
// instead of registering every API group into that scheme at start; nothing else changes. The list is the one the
// helm binary of the same release prints (test/gitops/render-module-overlay.test.ts).

package common

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/Masterminds/semver/v3"
	k8sversion "k8s.io/apimachinery/pkg/util/version"

	helmversion "helm.sh/helm/v4/internal/version"
)

const (
	kubeVersionMajorTesting = 1
	kubeVersionMinorTesting = 20
)

var (
	// DefaultVersionSet is the default version set, which includes only Core V1 ("v1").
	DefaultVersionSet = allKnownVersions()

	DefaultCapabilities = func() *Capabilities {
		caps, err := makeDefaultCapabilities()
		if err != nil {
			panic(fmt.Sprintf("failed to create default capabilities: %v", err))
		}
		return caps

	}()
)

// Capabilities describes the capabilities of the Kubernetes cluster.
type Capabilities struct {
	// KubeVersion is the Kubernetes version.
	KubeVersion KubeVersion
	// APIVersions are supported Kubernetes API versions.
	APIVersions VersionSet
	// HelmVersion is the build information for this helm version
	HelmVersion helmversion.BuildInfo
}

func (capabilities *Capabilities) Copy() *Capabilities {
	return &Capabilities{
		KubeVersion: capabilities.KubeVersion,
		APIVersions: capabilities.APIVersions,
		HelmVersion: capabilities.HelmVersion,
	}
}

// KubeVersion is the Kubernetes version.
type KubeVersion struct {
	Version           string // Full version (e.g., v1.33.4-gke.1245000)
	normalizedVersion string // Normalized for constraint checking (e.g., v1.33.4)
	Major             string // Kubernetes major version
	Minor             string // Kubernetes minor version
}

// String implements fmt.Stringer.
// Returns the normalized version used for constraint checking.
func (kv *KubeVersion) String() string {
	if kv.normalizedVersion != "" {
		return kv.normalizedVersion
	}
	return kv.Version
}

// GitVersion returns the full Kubernetes version string.
//
// Deprecated: use KubeVersion.Version.
func (kv *KubeVersion) GitVersion() string { return kv.Version }

// ParseKubeVersion parses kubernetes version from string
func ParseKubeVersion(version string) (*KubeVersion, error) {
	// Based on the original k8s version parser.
	// https://github.com/kubernetes/kubernetes/blob/b266ac2c3e42c2c4843f81e20213d2b2f43e450a/staging/src/k8s.io/apimachinery/pkg/util/version/version.go#L137
	sv, err := k8sversion.ParseGeneric(version)
	if err != nil {
		return nil, err
	}

	// Preserve original input (e.g., v1.33.4-gke.1245000)
	gitVersion := version
	if !strings.HasPrefix(version, "v") {
		gitVersion = "v" + version
	}

	// Normalize for constraint checking (strips all suffixes)
	normalizedVer := "v" + sv.String()

	return &KubeVersion{
		Version:           gitVersion,
		normalizedVersion: normalizedVer,
		Major:             strconv.FormatUint(uint64(sv.Major()), 10),
		Minor:             strconv.FormatUint(uint64(sv.Minor()), 10),
	}, nil
}

// VersionSet is a set of Kubernetes API versions.
type VersionSet []string

// Has returns true if the version string is in the set.
//
//	vs.Has("apps/v1")
func (v VersionSet) Has(apiVersion string) bool {
	return slices.Contains(v, apiVersion)
}

func allKnownVersions() VersionSet {
	// Upstream registers the built-in extension APIs (apiextensions v1beta1 and v1) into client-go's scheme and lists
	// its prioritized versions of all groups: this is that list, for client-go v0.35.1.
	return VersionSet{
		"v1",
		"admissionregistration.k8s.io/v1",
		"admissionregistration.k8s.io/v1alpha1",
		"admissionregistration.k8s.io/v1beta1",
		"internal.apiserver.k8s.io/v1alpha1",
		"apps/v1",
		"apps/v1beta1",
		"apps/v1beta2",
		"authentication.k8s.io/v1",
		"authentication.k8s.io/v1alpha1",
		"authentication.k8s.io/v1beta1",
		"authorization.k8s.io/v1",
		"authorization.k8s.io/v1beta1",
		"autoscaling/v1",
		"autoscaling/v2",
		"autoscaling/v2beta1",
		"autoscaling/v2beta2",
		"batch/v1",
		"batch/v1beta1",
		"certificates.k8s.io/v1",
		"certificates.k8s.io/v1beta1",
		"certificates.k8s.io/v1alpha1",
		"coordination.k8s.io/v1alpha2",
		"coordination.k8s.io/v1beta1",
		"coordination.k8s.io/v1",
		"discovery.k8s.io/v1",
		"discovery.k8s.io/v1beta1",
		"events.k8s.io/v1",
		"events.k8s.io/v1beta1",
		"extensions/v1beta1",
		"flowcontrol.apiserver.k8s.io/v1",
		"flowcontrol.apiserver.k8s.io/v1beta1",
		"flowcontrol.apiserver.k8s.io/v1beta2",
		"flowcontrol.apiserver.k8s.io/v1beta3",
		"networking.k8s.io/v1",
		"networking.k8s.io/v1beta1",
		"node.k8s.io/v1",
		"node.k8s.io/v1alpha1",
		"node.k8s.io/v1beta1",
		"policy/v1",
		"policy/v1beta1",
		"rbac.authorization.k8s.io/v1",
		"rbac.authorization.k8s.io/v1beta1",
		"rbac.authorization.k8s.io/v1alpha1",
		"resource.k8s.io/v1",
		"resource.k8s.io/v1beta2",
		"resource.k8s.io/v1beta1",
		"resource.k8s.io/v1alpha3",
		"scheduling.k8s.io/v1alpha1",
		"scheduling.k8s.io/v1beta1",
		"scheduling.k8s.io/v1",
		"storage.k8s.io/v1beta1",
		"storage.k8s.io/v1",
		"storage.k8s.io/v1alpha1",
		"storagemigration.k8s.io/v1beta1",
		"apiextensions.k8s.io/v1beta1",
		"apiextensions.k8s.io/v1",
	}
}

func makeDefaultCapabilities() (*Capabilities, error) {
	// Test builds don't include debug info / module info
	// (And even if they did, we probably want stable capabilities for tests anyway)
	// Return a default value for test builds
	if testing.Testing() {
		return newCapabilities(kubeVersionMajorTesting, kubeVersionMinorTesting)
	}

	vstr, err := helmversion.K8sIOClientGoModVersion()
	if err != nil {
		return nil, fmt.Errorf("failed to retrieve k8s.io/client-go version: %w", err)
	}

	v, err := semver.NewVersion(vstr)
	if err != nil {
		return nil, fmt.Errorf("unable to parse k8s.io/client-go version %q: %v", vstr, err)
	}

	kubeVersionMajor := v.Major() + 1
	kubeVersionMinor := v.Minor()

	return newCapabilities(kubeVersionMajor, kubeVersionMinor)
}

func newCapabilities(kubeVersionMajor, kubeVersionMinor uint64) (*Capabilities, error) {

	version := fmt.Sprintf("v%d.%d.0", kubeVersionMajor, kubeVersionMinor)
	return &Capabilities{
		KubeVersion: KubeVersion{
			Version:           version,
			normalizedVersion: version,
			Major:             fmt.Sprintf("%d", kubeVersionMajor),
			Minor:             fmt.Sprintf("%d", kubeVersionMinor),
		},
		APIVersions: DefaultVersionSet,
		HelmVersion: helmversion.Get(),
	}, nil
}
