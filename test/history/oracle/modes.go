package main

import (
	"fmt"
	"os"

	log "github.com/sirupsen/logrus"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/argoproj/argo-cd/v3/applicationset/controllers/template"
	"github.com/argoproj/argo-cd/v3/applicationset/generators"
	"github.com/argoproj/argo-cd/v3/applicationset/utils"
	"github.com/argoproj/argo-cd/v3/pkg/apis/application/v1alpha1"
	utilio "github.com/argoproj/argo-cd/v3/util/io"
)

func answer(req Request) Answer {
	switch req.Mode {
	case "", "truth":
		return truth(req)
	case "render":
		return renderApplication(req)
	case "generate":
		return generateSet(req)
	}
	return Answer{Error: fmt.Sprintf("unknown mode %q", req.Mode)}
}

// renderApplication: the manifests of one Application of the revision, as the application controller asks the
// repo-server for them (controller/state.go GetRepoObjs: the destination namespace, the instance name, the project,
// the cluster's version and API versions) — a Source Hydrator's dry source as the hydrator asks (hydrator_dependencies
// GetRepoObjs, sendRuntimeState false: no cluster state). No tracking label or annotation is asked for.
func renderApplication(req Request) Answer {
	var app v1alpha1.Application
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(req.Application, &app); err != nil {
		return Answer{Error: err.Error()}
	}
	src := app.Spec.GetSource()
	if app.Spec.SourceHydrator != nil {
		src = app.Spec.SourceHydrator.GetDrySource()
		req.KubeVersion, req.APIVersions = "", nil
	} else if app.Spec.HasMultipleSources() {
		return Answer{Error: "render mode: one source only"}
	}
	r := &argoRun{req: req, seen: map[string]bool{}, paths: utilio.NewRandomizedTempPaths(os.TempDir()), project: app.Spec.Project}
	d := Deployable{ID: "app:" + app.Name, Kind: "application"}
	d.Objects, d.Commands, d.Error = r.render(app.InstanceName(controllerNamespace), src, app.Spec.Destination.Namespace)
	return Answer{Deployables: []Deployable{d}}
}

// generateSet: what one ApplicationSet generates by the controller's own GenerateApplications, its SCM providers
// included (asking the service the spec names; the token Secrets from the request), and each top-level generator's
// parameter sets (generators.Transform, as GenerateApplications calls it).
func generateSet(req Request) Answer {
	for k, v := range req.Env {
		old, had := os.LookupEnv(k)
		_ = os.Setenv(k, v)
		defer func() {
			if had {
				_ = os.Setenv(k, old)
			} else {
				_ = os.Unsetenv(k)
			}
		}()
	}
	var set v1alpha1.ApplicationSet
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(req.ApplicationSet, &set); err != nil {
		return Answer{Error: err.Error()}
	}
	if set.Namespace == "" {
		set.Namespace = controllerNamespace
	}
	c, err := fakeCluster(req, set)
	if err != nil {
		return Answer{Error: err.Error()}
	}
	scm := generators.NewSCMProviderGenerator(c, generators.NewSCMConfig("", nil, true, false, nil, false))
	all := generatorsOf(req, c, scm)
	var ans Answer
	for _, g := range set.Spec.Generators {
		// An error here is GenerateApplications' too (it calls Transform alike): answered from there.
		results, _ := generators.Transform(g, all, set.Spec.Template, &set, map[string]any{}, c)
		var params []map[string]any
		for _, r := range results {
			params = append(params, r.Params...)
		}
		ans.Params = append(ans.Params, params)
	}
	apps, _, err := template.GenerateApplications(log.NewEntry(log.StandardLogger()), set, all, &utils.Render{}, c)
	if err != nil {
		ans.Error = err.Error()
	}
	for i := range apps {
		u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(&apps[i])
		if err != nil {
			ans.Error = err.Error()
			continue
		}
		ans.Applications = append(ans.Applications, u)
	}
	return ans
}
