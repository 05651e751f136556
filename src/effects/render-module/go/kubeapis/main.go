// Command kubeapis prints, as JSON, every built-in Kubernetes API kind this module's k8s.io/api (and
// apiextensions-apiserver's, kube-aggregator's kinds the clients register) defines, with the release lifecycle its
// own generated code declares (zz_generated.prerelease-lifecycle.go: introduced, deprecated, removed, replacement).
// scripts/kubernetes-apis.mjs runs it at build: the table says which apiVersion a cluster of each minor serves.
package main

import (
	"encoding/json"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apiextensionsv1beta1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1beta1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/scheme"
)

type lifecycle interface {
	APILifecycleIntroduced() (int, int)
}
type deprecated interface{ APILifecycleDeprecated() (int, int) }
type removed interface{ APILifecycleRemoved() (int, int) }
type replaced interface {
	APILifecycleReplacement() schema.GroupVersionKind
}

// API is one kind at one group version. A GA kind (no prerelease lifecycle) has no releases: served by every minor.
type API struct {
	Group       string `json:"group"`
	Version     string `json:"version"`
	Kind        string `json:"kind"`
	Introduced  string `json:"introduced,omitempty"`
	Deprecated  string `json:"deprecated,omitempty"`
	Removed     string `json:"removed,omitempty"`
	Replacement string `json:"replacement,omitempty"`
}

func release(major, minor int) string {
	if major == 0 && minor == 0 {
		return ""
	}
	return strconv.Itoa(major) + "." + strconv.Itoa(minor)
}

func main() {
	s := runtime.NewScheme()
	if err := scheme.AddToScheme(s); err != nil {
		panic(err)
	}
	if err := apiextensionsv1.AddToScheme(s); err != nil {
		panic(err)
	}
	if err := apiextensionsv1beta1.AddToScheme(s); err != nil {
		panic(err)
	}
	apis := []API{}
	for gvk, t := range s.AllKnownTypes() {
		if gvk.Version == runtime.APIVersionInternal || strings.HasSuffix(gvk.Kind, "List") || !isResource(gvk, t) {
			continue
		}
		obj := reflect.New(t).Interface()
		api := API{Group: gvk.Group, Version: gvk.Version, Kind: gvk.Kind}
		if l, ok := obj.(lifecycle); ok {
			api.Introduced = release(l.APILifecycleIntroduced())
		}
		if d, ok := obj.(deprecated); ok {
			api.Deprecated = release(d.APILifecycleDeprecated())
		}
		if r, ok := obj.(removed); ok {
			api.Removed = release(r.APILifecycleRemoved())
		}
		if r, ok := obj.(replaced); ok {
			if g := r.APILifecycleReplacement(); g.Kind != "" {
				api.Replacement = strings.TrimPrefix(g.Group+"/"+g.Version, "/") + " " + g.Kind
			}
		}
		apis = append(apis, api)
	}
	sort.Slice(apis, func(i, j int) bool {
		a, b := apis[i], apis[j]
		return a.Group+"/"+a.Version+"/"+a.Kind < b.Group+"/"+b.Version+"/"+b.Kind
	})
	encoder := json.NewEncoder(os.Stdout)
	encoder.SetIndent("", " ")
	if err := encoder.Encode(apis); err != nil {
		panic(err)
	}
}

// isResource: a kind with object metadata (what a manifest can hold), not an options or review type.
func isResource(gvk schema.GroupVersionKind, t reflect.Type) bool {
	f, ok := t.FieldByName("ObjectMeta")
	return ok && f.Anonymous && !strings.HasSuffix(gvk.Kind, "Options") && !strings.HasSuffix(gvk.Kind, "Review")
}
