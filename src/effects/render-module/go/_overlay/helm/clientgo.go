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

// ameide overlay (src/effects/render-module/go/_overlay/overlay.json): Helm v4.1.4's file without its blank import
// of client-go's clientset, which links every typed client, client-go's scheme and every k8s.io/api group into the
// module. k8s.io/client-go stays in the build information through pkg/engine (rest, dynamic), so the version read
// below, and the default KubeVersion made from it, are the same.

package version

import (
	"fmt"
	"runtime/debug"
	"slices"
)

func K8sIOClientGoModVersion() (string, error) {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "", fmt.Errorf("failed to read build info")
	}

	idx := slices.IndexFunc(info.Deps, func(m *debug.Module) bool {
		return m.Path == "k8s.io/client-go"
	})

	if idx == -1 {
		return "", fmt.Errorf("k8s.io/client-go not found in build info")
	}

	m := info.Deps[idx]

	return m.Version, nil
}
