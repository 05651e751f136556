// Package postrender is helm-controller's post-renderers (fluxcd/helm-controller v1.6.3, internal/postrender:
// kustomize.go, transformer.go, combined.go and common_renderer.go, Apache-2.0), which Go will not let another module
// import: the build copies them here from the module cache (scripts/go-patches.mjs; gitignored, never committed),
// as they are but for two things, our patches in ../_overlay/helm-controller/: the type below stands for api/v2's
// CommonMetadata, so that the controller's API module is not linked, and kustomize.go imports ./kustomize for
// fluxcd/pkg/apis/kustomize's types and combined.go ./postrenderer for Helm's PostRenderer interface, whose own
// package links Helm's plugin runtime. build.go is ours: BuildPostRenderers over a HelmRelease's fields.
package postrender

// CommonMetadata is helm-controller api/v2's CommonMetadata: labels and annotations for every rendered object.
type CommonMetadata struct {
	Annotations map[string]string `json:"annotations,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
}
