package postrender

import (
	"ameide.dev/render-module/fluxpostrender/kustomize"
	helmpostrender "ameide.dev/render-module/fluxpostrender/postrenderer"
)

// Release is what BuildPostRenderers reads of a HelmRelease (api/v2): its name and namespace, its postRenderers'
// kustomize patches and images, its commonMetadata.
type Release struct {
	Name           string          `json:"name"`
	Namespace      string          `json:"namespace"`
	PostRenderers  []PostRenderer  `json:"postRenderers"`
	CommonMetadata *CommonMetadata `json:"commonMetadata"`
}

// PostRenderer is api/v2's PostRenderer.
type PostRenderer struct {
	Kustomize *struct {
		Patches []kustomize.Patch `json:"patches,omitempty"`
		Images  []kustomize.Image `json:"images,omitempty"`
	} `json:"kustomize,omitempty"`
}

// group is api/v2's GroupVersion.Group.
const group = "helm.toolkit.fluxcd.io"

// BuildPostRenderers is helm-controller v1.6.3 internal/postrender/build.go's, over Release.
func BuildPostRenderers(rel *Release) helmpostrender.PostRenderer {
	if rel == nil {
		return nil
	}
	renderers := make([]helmpostrender.PostRenderer, 0)
	for _, r := range rel.PostRenderers {
		if r.Kustomize != nil {
			renderers = append(renderers, &Kustomize{
				Patches: r.Kustomize.Patches,
				Images:  r.Kustomize.Images,
			})
		}
	}
	if rel.CommonMetadata != nil {
		renderers = append(renderers, NewCommonRenderer(rel.CommonMetadata))
	}
	// OriginLabels takes precedence over CommonMetadata renderer, so that in case of label key collision,
	// the label from common metadata is skipped
	renderers = append(renderers, NewOriginLabels(group, rel.Namespace, rel.Name))
	if len(renderers) == 0 {
		return nil
	}
	return NewCombined(renderers...)
}
