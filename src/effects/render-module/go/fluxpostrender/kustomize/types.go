// Package kustomize holds the three types of fluxcd/pkg/apis/kustomize (v1.19.1, kustomize_types.go, Apache-2.0)
// that helm-controller's post-renderers read, so that module — which needs Kubernetes v0.36 over the v0.35 Helm is
// built with here — is not linked.
package kustomize

// Image is fluxcd/pkg/apis/kustomize's Image: an image kustomize sets.
type Image struct {
	Name    string `json:"name"`
	NewName string `json:"newName,omitempty"`
	NewTag  string `json:"newTag,omitempty"`
	Digest  string `json:"digest,omitempty"`
}

// Selector is fluxcd/pkg/apis/kustomize's Selector: the resources a patch targets.
type Selector struct {
	Group              string `json:"group,omitempty"`
	Version            string `json:"version,omitempty"`
	Kind               string `json:"kind,omitempty"`
	Namespace          string `json:"namespace,omitempty"`
	Name               string `json:"name,omitempty"`
	AnnotationSelector string `json:"annotationSelector,omitempty"`
	LabelSelector      string `json:"labelSelector,omitempty"`
}

// Patch is fluxcd/pkg/apis/kustomize's Patch: a strategic merge or JSON 6902 patch and its target.
type Patch struct {
	Patch  string    `json:"patch"`
	Target *Selector `json:"target,omitempty"`
}
