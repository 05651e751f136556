package main

// A Flux Kustomization's fields written into its folder's kustomization as kustomize-controller's generator writes
// them before the build (fluxcd/pkg kustomize v1.44.0, kustomize_generator.go, Generator.GenerateManifest, as
// kustomize-controller v1.10.1 pins it): the folder's kustomization read into kustomize's own Kustomization type (or
// made from the resources kustomize-controller would list), then targetNamespace, namePrefix and nameSuffix set,
// patches and components appended (components that must be local; missing ones left out with
// ignoreMissingComponents), images merged by name (a tag or digest replacing both), buildMetadata set, and the
// result written back through sigs.k8s.io/yaml. The package itself is not linked: it needs Go 1.27 and brings
// controller-runtime for its cluster client (see flux.go). test/gitops/flux/kustomization/flux-kustomization-fields.test.ts holds this
// to the package run natively.

import (
	"fmt"
	"path/filepath"
	"strings"

	fluxapi "ameide.dev/render-module/fluxpostrender/kustomize"
	"sigs.k8s.io/kustomize/api/konfig"
	kustypes "sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/yaml"
)

// fluxGenerateSpec is the one JSON argument of `flux generate`: the Kustomization's spec fields the generator reads,
// and the resources of a folder without a kustomization (relative to it, as scanManifests lists them).
type fluxGenerateSpec struct {
	TargetNamespace         *string         `json:"targetNamespace"`
	NamePrefix              *string         `json:"namePrefix"`
	NameSuffix              *string         `json:"nameSuffix"`
	Patches                 []fluxapi.Patch `json:"patches"`
	Components              []string        `json:"components"`
	IgnoreMissingComponents bool            `json:"ignoreMissingComponents"`
	Images                  []fluxapi.Image `json:"images"`
	BuildMetadata           []string        `json:"buildMetadata"`
	Resources               []string        `json:"resources"`
}

func fluxGenerate(args []string) error {
	var spec fluxGenerateSpec
	if err := jsonArgument("flux generate", args, &spec); err != nil {
		return err
	}
	data, kfile, unchanged, err := findOrGenerate(spec.Resources)
	if err != nil {
		return err
	}
	kus := kustypes.Kustomization{TypeMeta: kustypes.TypeMeta{
		APIVersion: kustypes.KustomizationVersion,
		Kind:       kustypes.KustomizationKind,
	}}
	if err := yaml.Unmarshal(data, &kus); err != nil {
		return err
	}
	if unchanged && len(kus.Resources) == 0 {
		// if there are no resources, set the build metadata to avoid "kustomization.yaml is empty" build error
		kus.BuildMetadata = []string{"originAnnotations"}
	}
	if err := applyFluxFields(&kus, spec); err != nil {
		return err
	}
	manifest, err := yaml.Marshal(kus)
	if err != nil {
		return err
	}
	return writeFile(kfile, manifest)
}

// findOrGenerate is findOrGenerateKustomization: the folder's kustomization, or one listing `resources` — those
// still there: the controller scans the artifact, which `flux artifact` may have made smaller than the revision the
// host listed them from.
func findOrGenerate(listed []string) ([]byte, string, bool, error) {
	var resources []string
	for _, r := range listed {
		if exists(r) {
			resources = append(resources, r)
		}
	}
	for _, name := range konfig.RecognizedKustomizationFileNames() {
		if exists(name) && !isDir(name) {
			data, err := readFile(name)
			return data, name, true, err
		}
	}
	kus := kustypes.Kustomization{TypeMeta: kustypes.TypeMeta{
		APIVersion: kustypes.KustomizationVersion,
		Kind:       kustypes.KustomizationKind,
	}}
	if len(resources) == 0 {
		// if there are no resources, set a placeholder namespace to avoid "kustomization.yaml is empty" build error
		kus.Namespace = "_placeholder"
	} else {
		kus.Resources = resources
	}
	data, err := yaml.Marshal(kus)
	return data, konfig.DefaultKustomizationFileName(), false, err
}

// applyFluxFields is GenerateManifest's part after the kustomization is read.
func applyFluxFields(kus *kustypes.Kustomization, spec fluxGenerateSpec) error {
	if spec.TargetNamespace != nil {
		kus.Namespace = *spec.TargetNamespace
	}
	if spec.NamePrefix != nil {
		kus.NamePrefix = *spec.NamePrefix
	}
	if spec.NameSuffix != nil {
		kus.NameSuffix = *spec.NameSuffix
	}
	for _, p := range spec.Patches {
		kus.Patches = append(kus.Patches, kustypes.Patch{Patch: p.Patch, Target: adaptSelector(p.Target)})
	}
	for _, component := range spec.Components {
		if !isLocalRelativePath(component) {
			return fmt.Errorf("component path '%s' must be local and relative", component)
		}
		if !exists(component) && spec.IgnoreMissingComponents {
			continue
		}
		kus.Components = append(kus.Components, component)
	}
	for _, image := range spec.Images {
		mergeImage(kus, image)
	}
	if len(spec.BuildMetadata) > 0 {
		kus.BuildMetadata = spec.BuildMetadata
	}
	return nil
}

// mergeImage: an image the kustomization already names takes the Kustomization's newName, and its newTag and
// digest together (setting one clears the other); another is appended.
func mergeImage(kus *kustypes.Kustomization, image fluxapi.Image) {
	for i := range kus.Images {
		if kus.Images[i].Name != image.Name {
			continue
		}
		if image.NewName != "" {
			kus.Images[i].NewName = image.NewName
		}
		if image.NewTag != "" || image.Digest != "" {
			kus.Images[i].NewTag = image.NewTag
			kus.Images[i].Digest = image.Digest
		}
		return
	}
	kus.Images = append(kus.Images, kustypes.Image{
		Name: image.Name, NewName: image.NewName, NewTag: image.NewTag, Digest: image.Digest,
	})
}

func adaptSelector(selector *fluxapi.Selector) (output *kustypes.Selector) {
	if selector != nil {
		output = &kustypes.Selector{}
		output.Gvk.Group = selector.Group
		output.Gvk.Kind = selector.Kind
		output.Gvk.Version = selector.Version
		output.Name = selector.Name
		output.Namespace = selector.Namespace
		output.LabelSelector = selector.LabelSelector
		output.AnnotationSelector = selector.AnnotationSelector
	}
	return
}

// isLocalRelativePath is fluxcd/pkg kustomize's IsLocalRelativePath.
func isLocalRelativePath(path string) bool {
	for _, p := range []string{"git::", "gh:", "ssh://", "https://", "http://", "git@", "github.com:", "github.com/"} {
		if len(p) < len(path) && strings.ToLower(path[:len(p)]) == p {
			return false
		}
	}
	return !filepath.IsAbs(path) && !filepath.IsAbs(strings.TrimPrefix(strings.ToLower(path), "file://"))
}
