// Command flux-postbuild is the differential tests' reference for the render module's `flux substitute`
// (src/effects/render-module/go/flux.go): kustomize-controller's build step (fluxcd/kustomize-controller v1.10.1
// internal/controller/kustomization_controller.go, build) with fluxcd/pkg's own kustomize package, natively:
// SecureBuild of a folder, then kustomize.SubstituteVariables on each resource (strict, as the controller's default
// StrictPostBuildSubstitutions; Always from the Kustomization's substituteStrategy), its ConfigMaps and Secrets read
// through a client that answers from a YAML file instead of a cluster, then the ResMap printed.
//
//	flux-postbuild <folder> <flux-kustomization.yaml> <configmaps-and-secrets.yaml>
//
// With FLUX_GENERATE=1, the controller's generate step runs first (test/gitops/flux-kustomization-fields.test.ts).
package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/fluxcd/pkg/kustomize"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"
)

// holders answers Get for ConfigMaps and Secrets from a file, as the cluster would (a Secret's stringData in data).
type holders struct {
	client.Client
	objects map[string]map[string][]byte
}

func (h holders) Get(_ context.Context, key client.ObjectKey, obj client.Object, _ ...client.GetOption) error {
	kind := "ConfigMap"
	if _, ok := obj.(*corev1.Secret); ok {
		kind = "Secret"
	}
	data, ok := h.objects[kind+"/"+key.Namespace+"/"+key.Name]
	if !ok {
		return apierrors.NewNotFound(schema.GroupResource{Resource: kind}, key.Name)
	}
	switch o := obj.(type) {
	case *corev1.ConfigMap:
		o.Data = map[string]string{}
		for k, v := range data {
			o.Data[k] = string(v)
		}
	case *corev1.Secret:
		o.Data = data
	}
	return nil
}

func readHolders(file string) (holders, error) {
	h := holders{objects: map[string]map[string][]byte{}}
	text, err := os.ReadFile(file)
	if err != nil {
		return h, err
	}
	for _, doc := range bytes.Split(text, []byte("\n---\n")) {
		var o struct {
			Kind     string                `json:"kind"`
			Metadata struct{ Name, Namespace string } `json:"metadata"`
			Data       map[string]string   `json:"data"`
			StringData map[string]string   `json:"stringData"`
		}
		if err := yaml.Unmarshal(doc, &o); err != nil {
			return h, err
		}
		data := map[string][]byte{}
		if o.Kind == "Secret" {
			var s corev1.Secret
			if err := yaml.Unmarshal(doc, &s); err != nil {
				return h, err
			}
			data = s.Data
			for k, v := range o.StringData {
				data[k] = []byte(v)
			}
		} else {
			for k, v := range o.Data {
				data[k] = []byte(v)
			}
		}
		ns := o.Metadata.Namespace
		if ns == "" {
			ns = "default"
		}
		h.objects[o.Kind+"/"+ns+"/"+o.Metadata.Name] = data
	}
	return h, nil
}

func main() {
	if err := run(os.Args[1], os.Args[2], os.Args[3]); err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
}

func run(dir, kustomizationFile, holdersFile string) error {
	var u unstructured.Unstructured
	text, err := os.ReadFile(kustomizationFile)
	if err != nil {
		return err
	}
	if err := yaml.Unmarshal(text, &u.Object); err != nil {
		return err
	}
	kubeClient, err := readHolders(holdersFile)
	if err != nil {
		return err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	// FLUX_GENERATE=1: first kustomize-controller's generate step (internal/controller generate): fluxcd/pkg's
	// Generator writes the Kustomization's targetNamespace, namePrefix, nameSuffix, images, patches and components
	// into the folder's kustomization.
	if os.Getenv("FLUX_GENERATE") == "1" {
		if _, err := kustomize.NewGenerator(abs, u).WriteFile(abs); err != nil {
			return fmt.Errorf("kustomize generate failed: %w", err)
		}
	}
	m, err := kustomize.SecureBuild(abs, abs, false)
	if err != nil {
		return fmt.Errorf("kustomize build failed: %w", err)
	}
	strategy, _, _ := unstructured.NestedString(u.Object, "spec", "postBuild", "substituteStrategy")
	for _, res := range m.Resources() {
		if _, ok := u.Object["spec"].(map[string]any)["postBuild"]; !ok {
			continue
		}
		outRes, err := kustomize.SubstituteVariables(context.Background(), kubeClient, u, res,
			kustomize.SubstituteWithStrict(true),
			kustomize.SubstituteWithAlways(strategy == "Always"))
		if err != nil {
			return fmt.Errorf("post build failed for '%s/%s': %w", res.GetGvk(), res.GetName(), err)
		}
		if outRes != nil {
			if _, err = m.Replace(res); err != nil {
				return err
			}
		}
	}
	resources, err := m.AsYaml()
	if err != nil {
		return err
	}
	_, err = os.Stdout.Write(resources)
	return err
}
