package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// fluxCandidate is one Flux Kustomization the cluster may hold: a file's (file the file) or one a build printed (file
// the printing Kustomization's).
type fluxCandidate struct {
	file    string
	obj     *unstructured.Unstructured
	printed bool
}

type fluxResult struct {
	c    fluxCandidate
	deps []Deployable
}

// fluxTree follows what Flux applies: each Kustomization built (kustomize-controller's build), the Kustomizations a
// build prints applied as printed and built in turn, the ConfigMaps and Secrets a build prints held for the post-build
// substitutions of the others (the cluster holds what Flux applied of this revision).
type fluxTree struct {
	req      Request
	sources  map[string]*unstructured.Unstructured
	queue    []fluxCandidate
	deferred []fluxCandidate
	late     bool
	// printed: name → the namespaces a build printed a Kustomization of that name in.
	printed map[string]map[string]bool
	// built: each printed Kustomization followed, by where it was printed, namespace, name and spec (one printing
	// itself again, as a flux-system Kustomization over its own folder does, is followed once).
	built map[string]bool
	// holders: `Kind/namespace/name` → the ConfigMap or Secret a build printed.
	holders map[string]*unstructured.Unstructured
	results []fluxResult
}

func newFluxTree(req Request, sources map[string]*unstructured.Unstructured) *fluxTree {
	return &fluxTree{req: req, sources: sources, printed: map[string]map[string]bool{}, built: map[string]bool{},
		holders: map[string]*unstructured.Unstructured{}}
}

// pathDepth: how deep a Kustomization's spec.path is (a parent's folder is built before its children's).
func pathDepth(ks *unstructured.Unstructured) int {
	p, _, _ := unstructured.NestedString(ks.Object, "spec", "path")
	return len(strings.Split(strings.Trim(filepath.ToSlash(filepath.Clean("/"+p)), "/"), "/"))
}

func substitutesFrom(ks *unstructured.Unstructured) bool {
	refs, _, _ := unstructured.NestedSlice(ks.Object, "spec", "postBuild", "substituteFrom")
	return len(refs) > 0
}

// isPrinted: a file's Kustomization that a build prints (by name: the printing kustomization may set its namespace
// over the file's) is applied as printed, not as the file holds it.
func (t *fluxTree) isPrinted(c fluxCandidate) bool {
	return !c.printed && len(t.printed[c.obj.GetName()]) > 0
}

func (t *fluxTree) run() []Deployable {
	sort.SliceStable(t.queue, func(i, j int) bool { return pathDepth(t.queue[i].obj) < pathDepth(t.queue[j].obj) })
	for {
		for len(t.queue) > 0 {
			c := t.queue[0]
			t.queue = t.queue[1:]
			if t.isPrinted(c) {
				continue
			}
			if substitutesFrom(c.obj) && !t.late {
				t.deferred = append(t.deferred, c)
				continue
			}
			t.build(c)
		}
		if t.late || len(t.deferred) == 0 {
			break
		}
		t.late, t.queue, t.deferred = true, t.deferred, nil
	}
	var out []Deployable
	for _, r := range t.results {
		// A file's Kustomization built before the build that prints it was: the printed one stands.
		if !t.isPrinted(r.c) {
			out = append(out, r.deps...)
		}
	}
	return out
}

func (t *fluxTree) id(c fluxCandidate) string {
	if c.printed {
		// file: the root of the builds that printed it (each cluster's bootstrap root its own).
		return fmt.Sprintf("flux:printed:%s:%s/%s", c.file, c.obj.GetNamespace(), c.obj.GetName())
	}
	return fmt.Sprintf("flux:%s:%s/%s", c.file, c.obj.GetNamespace(), c.obj.GetName())
}

func (t *fluxTree) build(c fluxCandidate) {
	if unknown, held := t.unknownHolders(c.obj); len(unknown) > 0 {
		t.results = append(t.results, fluxResult{c, t.unknownVariables(c, unknown, held)})
		return
	}
	deps, objs := fluxOne(t.req, t.sources, t.id(c), c.file, c.obj, t.holdersYAML())
	t.results = append(t.results, fluxResult{c, deps})
	for _, o := range objs {
		switch {
		case isKind(o, "kustomize.toolkit.fluxcd.io", "Kustomization"):
			ns := o.GetNamespace()
			spec, _ := json.Marshal(o.Object["spec"])
			key := c.file + "\x00" + ns + "\x00" + o.GetName() + "\x00" + string(spec)
			if t.built[key] {
				continue // printed again as it was: followed once
			}
			t.built[key] = true
			if t.printed[o.GetName()] == nil {
				t.printed[o.GetName()] = map[string]bool{}
			}
			t.printed[o.GetName()][ns] = true
			t.queue = append(t.queue, fluxCandidate{file: c.file, obj: o, printed: true})
		case o.GetAPIVersion() == "v1" && (o.GetKind() == "ConfigMap" || o.GetKind() == "Secret"):
			ns := o.GetNamespace()
			if ns == "" {
				ns = "default"
			}
			t.holders[o.GetKind()+"/"+ns+"/"+o.GetName()] = o
		}
	}
}

// unknownHolders: what of ks's postBuild.substituteFrom the truth cannot know — a holder SOPS-encrypted
// (kustomize-controller decrypts it with a key the revision does not hold), or printed by no build (and not optional:
// the cluster may hold it, or the controller fails) — and those holders' objects (what decides them).
func (t *fluxTree) unknownHolders(ks *unstructured.Unstructured) ([]string, []any) {
	refs, _, _ := unstructured.NestedSlice(ks.Object, "spec", "postBuild", "substituteFrom")
	ns := ks.GetNamespace()
	if ns == "" {
		ns = "default"
	}
	var unknown []string
	var held []any
	for _, r := range refs {
		ref, _ := r.(map[string]any)
		kind, name, optional := fmt.Sprint(ref["kind"]), fmt.Sprint(ref["name"]), ref["optional"] == true
		h := t.holders[kind+"/"+ns+"/"+name]
		switch {
		case h == nil && !optional:
			unknown = append(unknown, fmt.Sprintf("%s %s/%s printed by no build of the revision", kind, ns, name))
		case h != nil && h.Object["sops"] != nil:
			unknown = append(unknown, fmt.Sprintf("%s %s/%s SOPS-encrypted", kind, ns, name))
			held = append(held, h.Object)
		}
	}
	return unknown, held
}

// unknownVariables: a Kustomization whose post-build variables are unknown, as an error whose inputs are what decides
// its objects — its spec, its build before the substitution (kustomize-controller's build of it without postBuild)
// and the encrypted holders — so a change to any of them is a change the truth cannot render.
func (t *fluxTree) unknownVariables(c fluxCandidate, unknown []string, held []any) []Deployable {
	bare := c.obj.DeepCopy()
	unstructured.RemoveNestedField(bare.Object, "spec", "postBuild")
	deps, _ := fluxOne(t.req, t.sources, t.id(c), c.file, bare, nil)
	dep := deps[0]
	if dep.External != "" {
		deps, _ = fluxOne(t.req, t.sources, t.id(c), c.file, c.obj, nil)
		return deps
	}
	var built any = dep.Error
	if dep.Error == "" {
		var bodies []any
		for _, o := range dep.Objects {
			bodies = append(bodies, o.Body)
		}
		built = bodies
	}
	dep.Error = "postBuild.substituteFrom: " + strings.Join(unknown, "; ") + ": its variables are unknown"
	dep.Inputs = map[string]any{"spec": c.obj.Object["spec"], "build": built, "holders": held}
	dep.Objects = nil
	return []Deployable{dep}
}

// holdersYAML: the ConfigMaps and Secrets printed so far (but the encrypted), as flux-postbuild reads them.
func (t *fluxTree) holdersYAML() []byte {
	keys := make([]string, 0, len(t.holders))
	for k := range t.holders {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var docs []string
	for _, k := range keys {
		h := t.holders[k]
		if h.Object["sops"] != nil {
			continue
		}
		o := h.DeepCopy()
		o.SetNamespace(strings.Split(k, "/")[1])
		text, err := yaml.Marshal(o.Object)
		if err == nil {
			docs = append(docs, string(text))
		}
	}
	return []byte(strings.Join(docs, "\n---\n"))
}
