package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/argoproj/argo-cd/gitops-engine/pkg/utils/kube"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

const fluxSource = "source.toolkit.fluxcd.io"

// flux answers every Flux Kustomization the cluster would hold: those of the revision's files (and the bootstrap
// roots), then those a build prints — taken as printed (a parent's patches on them, its namespace), and in place of a
// file's of the same name, which is then not applied by itself. Each is built by kustomize-controller's own build when
// its GitRepository is this repository (a copy of the revision each time, as the controller extracts its artifact; of
// the commit its ref names when that is not the branch under review), else external, its inputs its spec and its
// source object's (a moved tag moves what it deploys). A Kustomization whose postBuild.substituteFrom names a
// ConfigMap or Secret is built after every other, its holders those the other builds print (what the cluster holds of
// this revision); one whose holder is SOPS-encrypted or printed by no build is an error, its inputs what decides it
// (fluxtree.go). A HelmRelease a build holds is external (its chart is in a Helm or OCI repository); its inputs are its
// spec and the ConfigMaps and Secrets of the same build its valuesFrom names.
func flux(req Request, docs []Doc) []Deployable {
	sources := map[string]*unstructured.Unstructured{}
	for _, d := range docs {
		if d.Obj.GroupVersionKind().Group == fluxSource {
			sources[d.Obj.GetKind()+"/"+d.Obj.GetNamespace()+"/"+d.Obj.GetName()] = d.Obj
		}
	}
	t := newFluxTree(req, sources)
	for _, d := range append(bootstrapRoots(req.Dir, docs), docs...) {
		if isKind(d.Obj, "kustomize.toolkit.fluxcd.io", "Kustomization") {
			t.queue = append(t.queue, fluxCandidate{file: d.File, obj: d.Obj})
		}
	}
	return t.run()
}

// fluxOne: one Kustomization's deployable (and its HelmReleases'), built over holders (nil: no post-build holders).
func fluxOne(req Request, sources map[string]*unstructured.Unstructured, id, file string, ks *unstructured.Unstructured,
	holders []byte) ([]Deployable, []*unstructured.Unstructured) {
	dep := Deployable{ID: id, Kind: "flux-kustomization", File: file}
	kind, _, _ := unstructured.NestedString(ks.Object, "spec", "sourceRef", "kind")
	name, _, _ := unstructured.NestedString(ks.Object, "spec", "sourceRef", "name")
	ns, _, _ := unstructured.NestedString(ks.Object, "spec", "sourceRef", "namespace")
	if ns == "" {
		ns = ks.GetNamespace()
	}
	src := sources[kind+"/"+ns+"/"+name]
	var url string
	if src != nil {
		url, _, _ = unstructured.NestedString(src.Object, "spec", "url")
	} else if kind == "GitRepository" && name == "flux-system" {
		// The GitRepository `flux bootstrap` creates in the cluster, not in the revision: this repository.
		url = req.RepoURLs[0]
	}
	commit, pin := "", ""
	if kind == "GitRepository" && argoRunLocal(req, url) {
		commit, pin = pinnedCommit(req.Dir, src)
	}
	if kind != "GitRepository" || !argoRunLocal(req, url) || (pin != "" && commit == "") {
		dep.External = fmt.Sprintf("source %s %s/%s (%s) %s", kind, ns, name, url, pin)
		dep.Inputs = map[string]any{"kustomization": ks.Object["spec"], "source": sourceInputs(src), "pin": pin}
		return []Deployable{dep}, nil
	}
	objs, err := fluxBuild(req, ks, commit, holders)
	if err != nil {
		dep.Error = err.Error()
		return []Deployable{dep}, nil
	}
	for _, o := range objs {
		dep.Objects = append(dep.Objects, objectOf(o, ""))
	}
	return append([]Deployable{dep}, helmReleases(dep.ID, objs)...), objs
}

// sourceInputs: what of a source object decides the artifact it makes (its spec less when and how often it looks).
func sourceInputs(src *unstructured.Unstructured) any {
	if src == nil {
		return nil
	}
	spec, _, _ := unstructured.NestedMap(src.Object, "spec")
	for _, k := range []string{"interval", "timeout", "suspend"} {
		delete(spec, k)
	}
	return spec
}

// pinnedCommit: the commit a GitRepository of this repository checks out when its ref names another revision than
// the branch under review (the clone's default branch), as source-controller takes its ref (commit, then name, then
// semver, then tag, then branch): ("", "") for the revision under review; ("", pin) where the clone has no such ref.
func pinnedCommit(dir string, src *unstructured.Unstructured) (string, string) {
	if src == nil {
		return "", ""
	}
	ref, _, _ := unstructured.NestedStringMap(src.Object, "spec", "ref")
	resolve := func(pin string, candidates ...string) (string, string) {
		for _, c := range candidates {
			if out, err := exec.Command("git", "-C", dir, "rev-parse", "--verify", "-q", c+"^{commit}").Output(); err == nil {
				return string(bytes.TrimSpace(out)), pin
			}
		}
		return "", pin
	}
	switch {
	case ref["commit"] != "":
		return resolve("commit "+ref["commit"], ref["commit"])
	case ref["name"] != "":
		return resolve("name "+ref["name"], ref["name"])
	case ref["semver"] != "":
		return "", "semver " + ref["semver"]
	case ref["tag"] != "":
		return resolve("tag "+ref["tag"], "refs/tags/"+ref["tag"])
	case ref["branch"] != "":
		head, _ := exec.Command("git", "-C", dir, "symbolic-ref", "-q", "--short", "refs/remotes/origin/HEAD").Output()
		if "origin/"+ref["branch"] == string(bytes.TrimSpace(head)) {
			return "", ""
		}
		return resolve("branch "+ref["branch"], "refs/remotes/origin/"+ref["branch"], "refs/heads/"+ref["branch"])
	}
	return "", ""
}

func argoRunLocal(req Request, url string) bool {
	for _, u := range req.RepoURLs {
		if url != "" && normalizeURL(u) == normalizeURL(url) {
			return true
		}
	}
	return false
}

// fluxBuild: kustomize-controller's build of ks over a copy of the revision (commit "") or of the commit its
// GitRepository pins, postBuild.substituteFrom reading holders (ConfigMaps and Secrets, YAML).
func fluxBuild(req Request, ks *unstructured.Unstructured, commit string, holders []byte) ([]*unstructured.Unstructured, error) {
	work, err := os.MkdirTemp("", "history-oracle-flux-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	root := filepath.Join(work, "src")
	if err := extract(req.Dir, commit, root); err != nil {
		return nil, err
	}
	spec, err := yaml.Marshal(ks.Object)
	if err != nil {
		return nil, err
	}
	ksFile, holdersFile := filepath.Join(work, "ks.yaml"), filepath.Join(work, "holders.yaml")
	if err := os.WriteFile(ksFile, spec, 0o600); err != nil {
		return nil, err
	}
	if err := os.WriteFile(holdersFile, holders, 0o600); err != nil {
		return nil, err
	}
	p, _, _ := unstructured.NestedString(ks.Object, "spec", "path")
	folder := filepath.Join(root, filepath.Clean("/"+p))
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(req.FluxPostbuild, folder, ksFile, holdersFile, root)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("kustomize-controller build: %v: %s", err, bytes.ReplaceAll(stderr.Bytes(), []byte(work), []byte("<work>")))
	}
	return kube.SplitYAML(stdout.Bytes())
}

// extract: the revision's files (commit "": the work tree less .git) or a commit's, at root.
func extract(dir, commit, root string) error {
	if commit == "" {
		// The work tree less .git (copied entry by entry: a clone's .git may weigh more than its files).
		if err := os.MkdirAll(root, 0o700); err != nil {
			return err
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			return err
		}
		args := []string{"-a"}
		for _, e := range entries {
			if e.Name() != ".git" {
				args = append(args, filepath.Join(dir, e.Name()))
			}
		}
		if out, err := exec.Command("cp", append(args, root)...).CombinedOutput(); len(args) > 1 && err != nil {
			return fmt.Errorf("copy: %v %s", err, out)
		}
		return nil
	}
	if err := os.MkdirAll(root, 0o700); err != nil {
		return err
	}
	archive := exec.Command("git", "-C", dir, "archive", "--format=tar", commit)
	untar := exec.Command("tar", "-x", "-C", root)
	pipe, err := archive.StdoutPipe()
	if err != nil {
		return err
	}
	untar.Stdin = pipe
	if err := untar.Start(); err != nil {
		return err
	}
	if err := archive.Run(); err != nil {
		return fmt.Errorf("git archive %s: %v", commit, err)
	}
	return untar.Wait()
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
// each clusters/<name> folder of Flux objects that no Kustomization of the revision builds (gotk-sync.yaml a
// placeholder, or not yet committed: the repository's README bootstraps each cluster so). A clusters/ folder that
// holds no Flux object (an Argo CD fleet's kustomize overlays) is no Flux cluster.
func bootstrapRoots(dir string, docs []Doc) []Doc {
	declared := map[string]bool{}
	fluxFolders := map[string]bool{}
	for _, d := range docs {
		if isKind(d.Obj, "kustomize.toolkit.fluxcd.io", "Kustomization") {
			p, _, _ := unstructured.NestedString(d.Obj.Object, "spec", "path")
			declared[filepath.Clean("/"+p)] = true
		}
		if parts := strings.SplitN(d.File, "/", 3); len(parts) == 3 && parts[0] == "clusters" &&
			strings.HasSuffix(group(d.Obj), ".toolkit.fluxcd.io") {
			fluxFolders["clusters/"+parts[1]] = true
		}
	}
	var roots []Doc
	found, _ := filepath.Glob(filepath.Join(dir, "clusters", "*"))
	for _, f := range found {
		rel, _ := filepath.Rel(dir, f)
		if info, err := os.Stat(f); err != nil || !info.IsDir() || declared[filepath.Clean("/"+rel)] ||
			!fluxFolders[filepath.ToSlash(rel)] {
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
