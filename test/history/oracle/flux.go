package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/argoproj/argo-cd/gitops-engine/pkg/utils/kube"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

const fluxSource = "source.toolkit.fluxcd.io"

// flux answers every Flux Kustomization of the revision's files: built by kustomize-controller's own build when its
// GitRepository is this repository (a copy of the revision each time, as the controller extracts its artifact), else
// external. A HelmRelease a build holds is external (its chart is in a Helm or OCI repository); its inputs are its
// spec and the ConfigMaps and Secrets of the same build its valuesFrom names.
func flux(req Request, docs []Doc) []Deployable {
	repos := map[string]string{}
	for _, d := range docs {
		if isKind(d.Obj, fluxSource, "GitRepository") {
			url, _, _ := unstructured.NestedString(d.Obj.Object, "spec", "url")
			repos[d.Obj.GetNamespace()+"/"+d.Obj.GetName()] = url
		}
	}
	var out []Deployable
	for _, d := range append(bootstrapRoots(req.Dir, docs), docs...) {
		if !isKind(d.Obj, "kustomize.toolkit.fluxcd.io", "Kustomization") {
			continue
		}
		ks := d.Obj
		dep := Deployable{ID: fmt.Sprintf("flux:%s:%s/%s", d.File, ks.GetNamespace(), ks.GetName()), Kind: "flux-kustomization", File: d.File}
		kind, _, _ := unstructured.NestedString(ks.Object, "spec", "sourceRef", "kind")
		name, _, _ := unstructured.NestedString(ks.Object, "spec", "sourceRef", "name")
		ns, _, _ := unstructured.NestedString(ks.Object, "spec", "sourceRef", "namespace")
		if ns == "" {
			ns = ks.GetNamespace()
		}
		url, defined := repos[ns+"/"+name]
		if !defined && kind == "GitRepository" && name == "flux-system" {
			// The GitRepository `flux bootstrap` creates in the cluster, not in the revision: this repository.
			url = req.RepoURLs[0]
		}
		if kind != "GitRepository" || !(argoRunLocal(req, url)) {
			dep.External = fmt.Sprintf("source %s %s/%s (%s)", kind, ns, name, url)
			dep.Inputs = ks.Object["spec"]
			out = append(out, dep)
			continue
		}
		objs, err := fluxBuild(req, ks)
		if err != nil {
			dep.Error = err.Error()
			out = append(out, dep)
			continue
		}
		for _, o := range objs {
			dep.Objects = append(dep.Objects, objectOf(o, ""))
		}
		out = append(out, dep)
		out = append(out, helmReleases(dep.ID, objs)...)
	}
	return out
}

func argoRunLocal(req Request, url string) bool {
	for _, u := range req.RepoURLs {
		if url != "" && normalizeURL(u) == normalizeURL(url) {
			return true
		}
	}
	return false
}

func fluxBuild(req Request, ks *unstructured.Unstructured) ([]*unstructured.Unstructured, error) {
	work, err := os.MkdirTemp("", "history-oracle-flux-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	root := filepath.Join(work, "src")
	if out, err := exec.Command("cp", "-a", req.Dir, root).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("copy: %v %s", err, out)
	}
	_ = os.RemoveAll(filepath.Join(root, ".git"))
	spec, err := yaml.Marshal(ks.Object)
	if err != nil {
		return nil, err
	}
	ksFile, holders := filepath.Join(work, "ks.yaml"), filepath.Join(work, "holders.yaml")
	if err := os.WriteFile(ksFile, spec, 0o600); err != nil {
		return nil, err
	}
	if err := os.WriteFile(holders, nil, 0o600); err != nil {
		return nil, err
	}
	p, _, _ := unstructured.NestedString(ks.Object, "spec", "path")
	folder := filepath.Join(root, filepath.Clean("/"+p))
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(req.FluxPostbuild, folder, ksFile, holders, root)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("kustomize-controller build: %v: %s", err, bytes.ReplaceAll(stderr.Bytes(), []byte(work), []byte("<work>")))
	}
	return kube.SplitYAML(stdout.Bytes())
}

// helmReleases: each HelmRelease of a build, external, with what decides its render.
func helmReleases(parent string, objs []*unstructured.Unstructured) []Deployable {
	held := map[string]any{}
	for _, o := range objs {
		if o.GetKind() == "ConfigMap" || o.GetKind() == "Secret" {
			held[o.GetKind()+"/"+o.GetName()] = []any{o.Object["data"], o.Object["stringData"]}
		}
	}
	var out []Deployable
	for _, o := range objs {
		if !isKind(o, "helm.toolkit.fluxcd.io", "HelmRelease") {
			continue
		}
		inputs := map[string]any{"spec": o.Object["spec"]}
		from, _, _ := unstructured.NestedSlice(o.Object, "spec", "valuesFrom")
		for _, f := range from {
			ref, _ := f.(map[string]any)
			key := fmt.Sprintf("%v/%v", ref["kind"], ref["name"])
			inputs[key] = held[key]
		}
		out = append(out, Deployable{ID: fmt.Sprintf("helmrelease:%s:%s/%s", parent, o.GetNamespace(), o.GetName()),
			Kind: "helmrelease", External: "chart from a Helm or OCI repository", Inputs: inputs})
	}
	return out
}

// bootstrapRoots: the flux-system Kustomization `flux bootstrap --path=clusters/<name>` creates in the cluster for
// each clusters/<name> folder that no Kustomization of the revision builds (gotk-sync.yaml a placeholder, or not yet
// committed: the repository's README bootstraps each cluster so).
func bootstrapRoots(dir string, docs []Doc) []Doc {
	declared := map[string]bool{}
	for _, d := range docs {
		if isKind(d.Obj, "kustomize.toolkit.fluxcd.io", "Kustomization") {
			p, _, _ := unstructured.NestedString(d.Obj.Object, "spec", "path")
			declared[filepath.Clean("/"+p)] = true
		}
	}
	var roots []Doc
	found, _ := filepath.Glob(filepath.Join(dir, "clusters", "*"))
	for _, f := range found {
		rel, _ := filepath.Rel(dir, f)
		if info, err := os.Stat(f); err != nil || !info.IsDir() || declared[filepath.Clean("/"+rel)] {
			continue
		}
		obj := map[string]any{
			"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
			"metadata": map[string]any{"name": "flux-system", "namespace": "flux-system"},
			"spec": map[string]any{"interval": "10m", "path": "./" + filepath.ToSlash(rel), "prune": true,
				"sourceRef": map[string]any{"kind": "GitRepository", "name": "flux-system"}},
		}
		roots = append(roots, Doc{File: filepath.ToSlash(rel) + "/flux-system (bootstrap)", Obj: &unstructured.Unstructured{Object: obj}})
	}
	return roots
}
