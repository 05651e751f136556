package main

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	log "github.com/sirupsen/logrus"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/argoproj/argo-cd/v3/applicationset/controllers/template"
	"github.com/argoproj/argo-cd/v3/applicationset/generators"
	"github.com/argoproj/argo-cd/v3/applicationset/utils"
	"github.com/argoproj/argo-cd/v3/pkg/apis/application/v1alpha1"
	"github.com/argoproj/argo-cd/v3/util/git"
)

// controllerNamespace: where the fake cluster holds the cluster Secrets and AppProjects.
const controllerNamespace = "argocd"

// revisionRepos answers the git generator from the checked-out revision, as the repo-server's GetGitFiles
// (util/git's LsFiles over the work tree, old globbing: Argo CD's default) and GetGitDirectories (every folder, hidden
// ones skipped) do; a repository that is not this one is an error, as a repository out of reach is.
type revisionRepos struct{ req Request }

func (r revisionRepos) check(repoURL string) error {
	for _, u := range r.req.RepoURLs {
		if normalizeURL(u) == normalizeURL(repoURL) {
			return nil
		}
	}
	return fmt.Errorf("repository %s is not the revision's", repoURL)
}

func (r revisionRepos) GetFiles(_ context.Context, repoURL, _, _, pattern string, _ bool, _ *v1alpha1.SourceIntegrity) (map[string][]byte, error) {
	if err := r.check(repoURL); err != nil {
		return nil, err
	}
	c, err := git.NewClientExt(repoURL, r.req.Dir, git.NopCreds{}, false, false, "", "")
	if err != nil {
		return nil, err
	}
	files, err := c.LsFiles(pattern, false)
	if err != nil {
		return nil, err
	}
	res := map[string][]byte{}
	for _, f := range files {
		text, err := os.ReadFile(filepath.Join(r.req.Dir, f))
		if err != nil {
			return nil, err
		}
		res[f] = text
	}
	return res, nil
}

func (r revisionRepos) GetDirectories(_ context.Context, repoURL, _, _ string, _ bool, _ *v1alpha1.SourceIntegrity) ([]string, error) {
	if err := r.check(repoURL); err != nil {
		return nil, err
	}
	var paths []string
	err := filepath.WalkDir(r.req.Dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !e.IsDir() {
			return nil
		}
		if strings.HasPrefix(e.Name(), ".") && p != r.req.Dir {
			return filepath.SkipDir
		}
		rel, err := filepath.Rel(r.req.Dir, p)
		if err != nil || rel == "." {
			return err
		}
		paths = append(paths, rel)
		return nil
	})
	return paths, err
}

// fakeCluster: the cluster Secrets of the fixed list and the AppProjects the set names, in a controller-runtime fake.
func fakeCluster(req Request, set v1alpha1.ApplicationSet) (client.Client, error) {
	scheme := runtime.NewScheme()
	if err := corev1.AddToScheme(scheme); err != nil {
		return nil, err
	}
	if err := v1alpha1.AddToScheme(scheme); err != nil {
		return nil, err
	}
	var objs []client.Object
	for _, c := range req.Clusters {
		labels := map[string]string{"argocd.argoproj.io/secret-type": "cluster"}
		for k, v := range c.Labels {
			labels[k] = v
		}
		data := map[string][]byte{"name": []byte(c.Name), "server": []byte(c.Server), "config": []byte("{}")}
		if c.Project != "" {
			data["project"] = []byte(c.Project)
		}
		objs = append(objs, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "cluster-" + c.Name, Namespace: controllerNamespace,
			Labels: labels, Annotations: c.Annotations}, Data: data})
	}
	for _, sec := range req.Secrets {
		objs = append(objs, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: sec.Name, Namespace: controllerNamespace},
			Data: bytesOf(sec.Data)})
	}
	for _, p := range []string{"default", set.Spec.Template.Spec.Project} {
		if p != "" && !strings.Contains(p, "{{") {
			objs = append(objs, &v1alpha1.AppProject{ObjectMeta: metav1.ObjectMeta{Name: p, Namespace: controllerNamespace}})
		}
	}
	seen := map[string]bool{}
	var unique []client.Object
	for _, o := range objs {
		key := fmt.Sprintf("%T/%s", o, o.GetName())
		if !seen[key] {
			seen[key] = true
			unique = append(unique, o)
		}
	}
	return fake.NewClientBuilder().WithScheme(scheme).WithObjects(unique...).Build(), nil
}

// unsupported names a generator the truth cannot run offline (it asks a service).
func unsupported(gs []v1alpha1.ApplicationSetGenerator) string {
	for _, g := range gs {
		switch {
		case g.SCMProvider != nil:
			return "scmProvider"
		case g.PullRequest != nil:
			return "pullRequest"
		case g.Plugin != nil:
			return "plugin"
		case g.ClusterDecisionResource != nil:
			return "clusterDecisionResource"
		}
	}
	return ""
}

// generate: the ApplicationSet controller's own GenerateApplications with the generators that run offline.
func generate(req Request, set v1alpha1.ApplicationSet) ([]v1alpha1.Application, error) {
	if name := unsupported(set.Spec.Generators); name != "" {
		return nil, fmt.Errorf("the %s generator asks a service", name)
	}
	c, err := fakeCluster(req, set)
	if err != nil {
		return nil, err
	}
	if set.Namespace == "" {
		set.Namespace = controllerNamespace
	}
	apps, _, err := template.GenerateApplications(log.NewEntry(log.StandardLogger()), set, generatorsOf(req, c, nil), &utils.Render{}, c)
	return apps, err
}

// generatorsOf: the controller's generator map (list, clusters, git; matrix and merge two levels deep), and scm when
// given (the scmProvider generator, asking the service its spec names).
func generatorsOf(req Request, c client.Client, scm generators.Generator) map[string]generators.Generator {
	terminal := map[string]generators.Generator{
		"List":     generators.NewListGenerator(),
		"Clusters": generators.NewClusterGenerator(c, controllerNamespace),
		"Git":      generators.NewGitGenerator(revisionRepos{req}, controllerNamespace),
	}
	if scm != nil {
		terminal["SCMProvider"] = scm
	}
	level := func(inner map[string]generators.Generator) map[string]generators.Generator {
		out := map[string]generators.Generator{}
		for k, g := range terminal {
			out[k] = g
		}
		out["Matrix"] = generators.NewMatrixGenerator(inner)
		out["Merge"] = generators.NewMergeGenerator(inner)
		return out
	}
	return level(level(terminal))
}

// duplicates: the controller's validateGeneratedApplications check (applicationset_controller.go): a name generated
// twice is an error of the set; the first Application of each name is kept.
func duplicates(set v1alpha1.ApplicationSet, apps []v1alpha1.Application) ([]v1alpha1.Application, string) {
	names := map[string]bool{}
	var kept []v1alpha1.Application
	var msg string
	for _, a := range apps {
		if names[a.Name] {
			msg = fmt.Sprintf("ApplicationSet %s contains applications with duplicate name: %s", set.Name, a.Name)
			continue
		}
		names[a.Name] = true
		kept = append(kept, a)
	}
	return kept, msg
}

func bytesOf(m map[string]string) map[string][]byte {
	out := map[string][]byte{}
	for k, v := range m {
		out[k] = []byte(v)
	}
	return out
}
