package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/argoproj/argo-cd/gitops-engine/pkg/utils/kube"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"

	"github.com/argoproj/argo-cd/v3/pkg/apis/application/v1alpha1"
	"github.com/argoproj/argo-cd/v3/reposerver/apiclient"
	"github.com/argoproj/argo-cd/v3/reposerver/repository"
	utilio "github.com/argoproj/argo-cd/v3/util/io"
)

// maxDepth: how deep app of apps is followed (ameide follows 5 levels; the suite's repositories need fewer).
const maxDepth = 5

type argoRun struct {
	req   Request
	seen  map[string]bool
	out   []Deployable
	paths *utilio.RandomizedTempPaths
	// project: the Application's (ARGOCD_APP_PROJECT_NAME); "default" when empty.
	project string
}

// normalizeURL: a repository URL as Argo CD compares them (git.NormalizeGitURL's essentials: case, .git, slash).
func normalizeURL(u string) string {
	u = strings.ToLower(strings.TrimSpace(u))
	u = strings.TrimSuffix(strings.TrimSuffix(u, "/"), ".git")
	return u
}

func (r *argoRun) local(repoURL string) bool {
	for _, u := range r.req.RepoURLs {
		if normalizeURL(u) == normalizeURL(repoURL) {
			return true
		}
	}
	return false
}

// argo answers every Application of the revision: those of its files (none when the request says only its kustomize
// roots are applied), those its ApplicationSets generate, and those an Application or a kustomize root renders (app
// of apps: Applications and ApplicationSets printed by a render).
func argo(req Request, docs []Doc) []Deployable {
	r := &argoRun{req: req, seen: map[string]bool{}, paths: utilio.NewRandomizedTempPaths(os.TempDir())}
	for _, d := range docs {
		if req.RootsOnly {
			break
		}
		switch {
		case isKind(d.Obj, "argoproj.io", "Application"):
			r.application(d.File, d.Obj, 0)
		case isKind(d.Obj, "argoproj.io", "ApplicationSet"):
			r.applicationSet(d.File, d.Obj, 0)
		}
	}
	for _, root := range req.KustomizeRoots {
		src := v1alpha1.ApplicationSource{RepoURL: req.RepoURLs[0], Path: root}
		d := Deployable{ID: "root:" + root, Kind: "kustomize", File: root}
		d.Objects, d.Commands, d.Error = r.render(root, src, "")
		if d.Error != "" {
			d.Inputs = r.failedInputs(src)
		}
		r.out = append(r.out, d)
		// A root applied by hand that prints Applications or ApplicationSets (an app of apps built by kustomize):
		// Argo CD deploys them as it deploys those of a file.
		r.follow(root, d.Objects, 0)
	}
	return r.out
}

// follow: the Applications and ApplicationSets a render printed, deployed as Argo CD deploys them (app of apps: the
// application controller applies them; an ApplicationSet's Applications are the applicationset controller's).
func (r *argoRun) follow(file string, objs []Object, depth int) {
	if depth >= maxDepth {
		return
	}
	for _, obj := range objs {
		child := &unstructured.Unstructured{Object: obj.Body}
		switch {
		case isKind(child, "argoproj.io", "Application"):
			r.application(file, child, depth+1)
		case isKind(child, "argoproj.io", "ApplicationSet"):
			r.applicationSet(file, child, depth+1)
		}
	}
}

func (r *argoRun) applicationSet(file string, o *unstructured.Unstructured, depth int) {
	// Keyed by file and name as Applications are: an app of apps may print the set its root printed too.
	key := "appset:" + file + ":" + o.GetName()
	if r.seen[key] {
		return
	}
	r.seen[key] = true
	var set v1alpha1.ApplicationSet
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(o.Object, &set); err != nil {
		r.out = append(r.out, Deployable{ID: "appset:" + o.GetName(), Kind: "applicationset", File: file, Error: err.Error()})
		return
	}
	apps, err := generate(r.req, set)
	if err != nil {
		// Its Applications cannot be known (a generator failed): what decides them is the set itself.
		r.out = append(r.out, Deployable{ID: "appset:" + file + ":" + set.Name, Kind: "applicationset", File: file,
			External: "generator: " + err.Error(), Inputs: o.Object})
		return
	}
	if _, dup := duplicates(set, apps); dup != "" {
		// Which duplicate the controller keeps follows its cluster list's order (a map's): the set is in error, decided by
		// its own spec and the clusters.
		r.out = append(r.out, Deployable{ID: "appset:" + file + ":" + set.Name, Kind: "applicationset", File: file,
			Error: dup, Inputs: o.Object})
		return
	}
	for i := range apps {
		u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(&apps[i])
		if err != nil {
			continue
		}
		r.application(file, &unstructured.Unstructured{Object: u}, depth)
	}
}

func (r *argoRun) application(file string, o *unstructured.Unstructured, depth int) {
	var app v1alpha1.Application
	// Keyed by file and name: a repository of several fleets (one per example) may name Applications alike.
	d := Deployable{ID: "app:" + file + ":" + o.GetName(), Kind: "application", File: file}
	if r.seen[d.ID] {
		return
	}
	r.seen[d.ID] = true
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(o.Object, &app); err != nil {
		d.Error = err.Error()
		r.out = append(r.out, d)
		return
	}
	sources := app.Spec.GetSources()
	for _, s := range sources {
		if !r.local(s.RepoURL) || s.Chart != "" || s.IsRef() || len(sources) > 1 {
			d.External = fmt.Sprintf("source %s %s %s", s.RepoURL, s.Chart, s.Path)
			d.Inputs = app.Spec
			r.out = append(r.out, d)
			return
		}
	}
	if len(sources) == 0 {
		d.Error = "no source"
		r.out = append(r.out, d)
		return
	}
	// A config management plugin's source fails here as in a repo-server without the plugin's sidecar ("could not
	// find cmp-server plugin"): no plugin is run, and, as any failed render, it is decided by the files its folder
	// and its kustomizations name (ameide's render-unavailable takes its folder's files).
	d.Objects, d.Commands, d.Error = r.render(app.Name, sources[0], app.Spec.Destination.Namespace)
	if d.Error != "" {
		d.Inputs = r.failedInputs(sources[0])
	}
	r.out = append(r.out, d)
	r.follow(file, d.Objects, depth)
}

// resetWorkTree undoes what a generation wrote in the revision (`kustomize edit`, a chart's dependencies), as the
// repo-server's checkout does before each (util/git Checkout: `checkout --force`, `clean -ffdx`): the next
// Application of the revision starts from the revision, not from the last one's edits.
func resetWorkTree(dir string) {
	_ = exec.Command("git", "-C", dir, "reset", "-q", "--hard").Run()
	_ = exec.Command("git", "-C", dir, "clean", "-q", "-ffdx").Run()
}

// failedInputs: what decides a local source the repo-server failed to render here (a remote kustomize base or Helm
// dependency, no network): the source and the files it reads at the revision — its folder's git tree and those of the
// folders and files its kustomization files name through a parent folder (`../base`, followed from there), or the
// whole revision's tree when a name leaves the revision or a file of its folder names a parent folder and is no
// kustomization (a chart's), so that a commit touching none of it leaves the failure as it was and any other is a
// change the truth cannot render.
func (r *argoRun) failedInputs(src v1alpha1.ApplicationSource) any {
	git := func(args ...string) (string, error) {
		out, err := exec.Command("git", append([]string{"-C", r.req.Dir}, args...)...).Output()
		return strings.TrimSpace(string(out)), err
	}
	rel := strings.TrimPrefix(filepath.ToSlash(filepath.Clean("/"+src.Path)), "/")
	whole := rel == "" || strings.Contains(fmt.Sprintf("%+v", src), "..")
	reads := []string{rel}
	if !whole {
		// git grep: 0 found, 1 none; anything else (an error) is taken as found.
		_, err := git("grep", "-q", "-F", "..", r.req.Revision, "--", rel)
		var exit *exec.ExitError
		if err == nil || !errors.As(err, &exit) || exit.ExitCode() != 1 {
			var ok bool
			reads, ok = r.kustomizeReads(rel)
			whole = !ok
		}
	}
	if whole {
		tree, err := git("rev-parse", r.req.Revision+"^{tree}")
		if err != nil {
			tree = "unknown: " + err.Error()
		}
		return map[string]any{"source": src, "tree": tree}
	}
	specs := make([]string, len(reads))
	for i, p := range reads {
		specs[i] = r.req.Revision + ":" + p
	}
	hashes, err := git(append([]string{"rev-parse"}, specs...)...)
	if err != nil {
		hashes = "unknown: " + err.Error()
	}
	if len(reads) == 1 {
		return map[string]any{"source": src, "tree": hashes}
	}
	return map[string]any{"source": src, "reads": reads, "trees": hashes}
}

// kustomizeReads: a folder and what its kustomization files (its own and its subfolders') name through a parent
// folder, followed: each a folder or file of the revision, sorted. false when a name leaves the revision, or a file
// that names a parent folder is no kustomization and no generator's data (what it reads is not known here).
func (r *argoRun) kustomizeReads(rel string) ([]string, bool) {
	seen := map[string]bool{}
	ok := true
	var walk func(dir string)
	walk = func(dir string) {
		if seen[dir] {
			return
		}
		seen[dir] = true
		out, err := exec.Command("git", "-C", r.req.Dir, "grep", "-l", "-F", "..", r.req.Revision, "--", dir).Output()
		if err != nil {
			return // none names a parent folder
		}
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			file := strings.TrimPrefix(line, r.req.Revision+":")
			base := filepath.Base(file)
			if base != "kustomization.yaml" && base != "kustomization.yml" && base != "Kustomization" {
				if base != "Chart.yaml" && base != "requirements.yaml" && strings.HasSuffix(base, ".yaml") || strings.HasSuffix(base, ".yml") || strings.HasSuffix(base, ".json") ||
					strings.HasSuffix(base, ".md") {
					continue // a manifest's or document's text, no path kustomize reads
				}
				if r.generatorData(file, rel) {
					continue // a ConfigMap's or Secret's data (unbound.conf's comments): its text, no path
				}
				ok = false
				continue
			}
			text, err := os.ReadFile(filepath.Join(r.req.Dir, file))
			var doc any
			if err != nil || yaml.Unmarshal(text, &doc) != nil {
				ok = false
				continue
			}
			eachString(doc, func(s string) {
				if i := strings.LastIndex(s, "="); i >= 0 {
					s = s[i+1:] // a generator's `key=path`
				}
				if !strings.Contains(s, "..") {
					return
				}
				p := filepath.ToSlash(filepath.Clean(filepath.Join(filepath.Dir(file), s)))
				if p == ".." || strings.HasPrefix(p, "../") || filepath.IsAbs(s) {
					ok = false
					return
				}
				info, err := os.Stat(filepath.Join(r.req.Dir, p))
				switch {
				case err != nil:
					// not in the revision: kustomize fails the same way while it is absent
				case info.IsDir():
					walk(p)
				default:
					seen[p] = true
				}
			})
		}
	}
	walk(rel)
	reads := make([]string, 0, len(seen))
	for p := range seen {
		reads = append(reads, p)
	}
	sort.Strings(reads)
	return reads, ok
}

// generatorData: the file is named by a configMapGenerator's or secretGenerator's `files` or `envs` of a kustomization
// in its folder or one above it, up to the source's folder `rel`: kustomize reads its text as the object's data,
// never as paths.
func (r *argoRun) generatorData(file, rel string) bool {
	for dir := filepath.Dir(file); ; dir = filepath.Dir(dir) {
		for _, k := range []string{"kustomization.yaml", "kustomization.yml", "Kustomization"} {
			text, err := os.ReadFile(filepath.Join(r.req.Dir, dir, k))
			var doc struct {
				ConfigMapGenerator []struct {
					Files []string `json:"files"`
					Envs  []string `json:"envs"`
					Env   string   `json:"env"`
				} `json:"configMapGenerator"`
				SecretGenerator []struct {
					Files []string `json:"files"`
					Envs  []string `json:"envs"`
					Env   string   `json:"env"`
				} `json:"secretGenerator"`
			}
			if err != nil || yaml.Unmarshal(text, &doc) != nil {
				continue
			}
			var named []string
			for _, g := range doc.ConfigMapGenerator {
				named = append(append(append(named, g.Files...), g.Envs...), g.Env)
			}
			for _, g := range doc.SecretGenerator {
				named = append(append(append(named, g.Files...), g.Envs...), g.Env)
			}
			for _, n := range named {
				if i := strings.LastIndex(n, "="); i >= 0 {
					n = n[i+1:] // `key=path`
				}
				if n != "" && filepath.ToSlash(filepath.Clean(filepath.Join(dir, n))) == file {
					return true
				}
			}
		}
		if dir == rel || dir == "." || dir == "/" || !strings.HasPrefix(dir, rel+"/") {
			return false
		}
	}
}

func eachString(v any, f func(string)) {
	switch x := v.(type) {
	case string:
		f(x)
	case []any:
		for _, e := range x {
			eachString(e, f)
		}
	case map[string]any:
		for _, e := range x {
			eachString(e, f)
		}
	}
}

// render runs the repo-server's own manifest generation for a source of this revision.
func (r *argoRun) render(appName string, src v1alpha1.ApplicationSource, namespace string) ([]Object, []string, string) {
	project := r.project
	if project == "" {
		project = "default"
	}
	q := &apiclient.ManifestRequest{
		Repo:              &v1alpha1.Repository{Repo: src.RepoURL},
		Revision:          r.req.Revision,
		AppName:           appName,
		Namespace:         namespace,
		ApplicationSource: &src,
		KustomizeOptions:  &v1alpha1.KustomizeOptions{},
		ProjectName:       project,
		KubeVersion:       r.req.KubeVersion,
		ApiVersions:       r.req.APIVersions,
	}
	appPath := filepath.Join(r.req.Dir, filepath.Clean("/"+src.Path))
	res, err := repository.GenerateManifests(context.Background(), appPath, r.req.Dir, r.req.Revision, q, true, nil,
		resource.MustParse("100M"), r.paths)
	resetWorkTree(r.req.Dir)
	if err != nil {
		// The same failure reads the same in every revision (the message names the revision's folder).
		return nil, nil, strings.ReplaceAll(err.Error(), r.req.Dir, "<revision>")
	}
	var objs []Object
	for _, m := range res.Manifests {
		u, err := kube.SplitYAML([]byte(m))
		if err != nil {
			return nil, res.Commands, err.Error()
		}
		for _, o := range u {
			objs = append(objs, objectOf(o, namespace))
		}
	}
	return objs, res.Commands, ""
}
