// Package postrender is helm-controller's post-renderers (fluxcd/helm-controller v1.6.3, internal/postrender:
// kustomize.go, transformer.go, combined.go and common_renderer.go, Apache-2.0, copied as they are but for two things:
// the type below stands for api/v2's CommonMetadata, so that the controller's API module is not linked, and
// kustomize.go imports ./kustomize for fluxcd/pkg/apis/kustomize's types and combined.go ./postrenderer for Helm's
// PostRenderer interface, whose own package links Helm's plugin runtime), and build.go's BuildPostRenderers over a
// HelmRelease's fields.
package postrender

// CommonMetadata is helm-controller api/v2's CommonMetadata: labels and annotations for every rendered object.
type CommonMetadata struct {
	Annotations map[string]string `json:"annotations,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
}
