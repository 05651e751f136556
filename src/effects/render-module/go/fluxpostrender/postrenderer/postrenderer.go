// Package postrenderer is Helm's post-renderer interface (helm.sh/helm/v4 pkg/postrenderer, Apache-2.0): the one
// type helm-controller's post-renderers implement, without the plugin runtime that package links.
package postrenderer

import "bytes"

// PostRenderer is Helm's: it takes the rendered manifests and returns them changed.
type PostRenderer interface {
	Run(renderedManifests *bytes.Buffer) (modifiedManifests *bytes.Buffer, err error)
}
