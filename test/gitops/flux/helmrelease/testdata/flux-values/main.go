// Command flux-values is the differential tests' reference for a Flux HelmRelease's values and release name (ameide's
// src/gitops/flux/helmrelease/values.ts and helmrelease.ts): helm-controller v1.6.3's, natively — the
// HelmRelease decoded as its API type (github.com/fluxcd/helm-controller/api v1.6.3), its values composed by
// fluxcd/pkg/chartutil v1.27.1 ChartValuesFromReferences as the reconcile calls it (the HelmRelease's namespace,
// obj.GetValues(), spec.valuesFrom), its ConfigMaps and Secrets read through a client that answers from a YAML file
// instead of a cluster; its release name GetReleaseName() (release.ShortenName, internal to the controller, changes
// only a name over 53 characters). It prints {"values": …, "releaseName": …} as JSON, or the error.
//
//	flux-values <helmrelease.yaml> <configmaps-and-secrets.yaml>
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"

	v2 "github.com/fluxcd/helm-controller/api/v2"
	"github.com/fluxcd/pkg/chartutil"
	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"
)

// holders answers Get for ConfigMaps and Secrets from a file, as the cluster would (a Secret's stringData in data).
type holders struct {
	client.Client
	configMaps map[string]*corev1.ConfigMap
	secrets    map[string]*corev1.Secret
}

func (h holders) Get(_ context.Context, key client.ObjectKey, obj client.Object, _ ...client.GetOption) error {
	id := key.Namespace + "/" + key.Name
	switch o := obj.(type) {
	case *corev1.ConfigMap:
		if cm, ok := h.configMaps[id]; ok {
			*o = *cm
			return nil
		}
		return apierrors.NewNotFound(schema.GroupResource{Resource: "configmaps"}, key.Name)
	case *corev1.Secret:
		if s, ok := h.secrets[id]; ok {
			*o = *s
			return nil
		}
		return apierrors.NewNotFound(schema.GroupResource{Resource: "secrets"}, key.Name)
	}
	return fmt.Errorf("unexpected kind %T", obj)
}

func readHolders(file string) (holders, error) {
	h := holders{configMaps: map[string]*corev1.ConfigMap{}, secrets: map[string]*corev1.Secret{}}
	text, err := os.ReadFile(file)
	if err != nil {
		return h, err
	}
	for _, doc := range bytes.Split(text, []byte("\n---\n")) {
		var head struct {
			Kind string `json:"kind"`
		}
		if err := yaml.Unmarshal(doc, &head); err != nil {
			return h, err
		}
		switch head.Kind {
		case "ConfigMap":
			var cm corev1.ConfigMap
			if err := yaml.Unmarshal(doc, &cm); err != nil {
				return h, err
			}
			h.configMaps[namespaced(cm.Namespace, cm.Name)] = &cm
		case "Secret":
			var s corev1.Secret
			if err := yaml.Unmarshal(doc, &s); err != nil {
				return h, err
			}
			if s.Data == nil {
				s.Data = map[string][]byte{}
			}
			for k, v := range s.StringData {
				s.Data[k] = []byte(v)
			}
			h.secrets[namespaced(s.Namespace, s.Name)] = &s
		}
	}
	return h, nil
}

func namespaced(ns, name string) string {
	if ns == "" {
		ns = "default"
	}
	return ns + "/" + name
}

func main() {
	if err := run(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
}

func run(releaseFile, holdersFile string) error {
	text, err := os.ReadFile(releaseFile)
	if err != nil {
		return err
	}
	var hr v2.HelmRelease
	if err := yaml.Unmarshal(text, &hr); err != nil {
		return err
	}
	kube, err := readHolders(holdersFile)
	if err != nil {
		return err
	}
	if hr.Namespace == "" {
		hr.Namespace = "default"
	}
	values, err := chartutil.ChartValuesFromReferences(context.Background(), logr.Discard(), kube, hr.Namespace,
		hr.GetValues(), hr.Spec.ValuesFrom...)
	if err != nil {
		return err
	}
	out, err := json.Marshal(map[string]any{"values": values, "releaseName": hr.GetReleaseName()})
	if err != nil {
		return err
	}
	_, err = fmt.Println(string(out))
	return err
}
