// Command history-oracle is the truth of the real-history differential suite (test/history): for a checked-out
// revision of a GitOps repository it computes what Argo CD v3.5.1 and Flux would deploy, with their own code built
// natively — Applications from the revision's manifests and from its ApplicationSets (Argo CD's
// applicationset/controllers/template.GenerateApplications over its own list, git, clusters, matrix and merge
// generators; the clusters from a fixed test list held in a fake controller-runtime client), app of apps followed,
// each Application's manifests by the repo-server's own repository.GenerateManifests (helm and kustomize from PATH),
// and each Flux Kustomization by kustomize-controller's build (the flux-postbuild binary of test/gitops/testdata).
//
// It reads one JSON request a line on stdin and answers one JSON line on stdout, so one process serves a whole
// history. A source outside the revision (another repository, a chart from a Helm or OCI repository) is not
// rendered: it is answered as `external` with the inputs that decide it, so the suite can tell whether a change
// touches it.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"

	log "github.com/sirupsen/logrus"
)

// Cluster is one registered cluster of the fixed test list, as its Secret holds it.
type Cluster struct {
	Name        string            `json:"name"`
	Server      string            `json:"server"`
	Project     string            `json:"project,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

// Secret is one more Secret of the controller's namespace (an SCM provider's token), its data as text.
type Secret struct {
	Name string            `json:"name"`
	Data map[string]string `json:"data"`
}

// Request asks for the truth of the revision checked out at Dir (a git work tree at Revision). Mode "render" asks
// instead for the manifests of one Application (its source in Dir at Revision), mode "generate" for what one
// ApplicationSet generates (modes.go).
type Request struct {
	Mode           string    `json:"mode,omitempty"`
	Dir            string    `json:"dir"`
	Revision       string    `json:"revision"`
	RepoURLs       []string  `json:"repoURLs"`
	Clusters       []Cluster `json:"clusters"`
	KustomizeRoots []string  `json:"kustomizeRoots"`
	// RootsOnly: Argo CD's Applications and ApplicationSets are those the kustomize roots print, none of the files by
	// itself (a repository bootstrapped by `kustomize build <root> | kubectl apply`, its files bases and patches).
	RootsOnly     bool   `json:"rootsOnly,omitempty"`
	FluxPostbuild string `json:"fluxPostbuild"`
	// KubeVersion and APIVersions: the destination cluster's, as the controller sends them (render).
	KubeVersion    string         `json:"kubeVersion,omitempty"`
	APIVersions    []string       `json:"apiVersions,omitempty"`
	Application    map[string]any `json:"application,omitempty"`
	ApplicationSet map[string]any `json:"applicationSet,omitempty"`
	Secrets        []Secret       `json:"secrets,omitempty"`
	// Env: variables set for the request only (an SDK's endpoint: AWS_ENDPOINT_URL, BITBUCKET_API_BASE_URL).
	Env map[string]string `json:"env,omitempty"`
}

// Object is one rendered object.
type Object struct {
	APIVersion string         `json:"apiVersion"`
	Kind       string         `json:"kind"`
	Namespace  string         `json:"namespace"`
	Name       string         `json:"name"`
	Body       map[string]any `json:"body"`
}

// Deployable is one thing the controllers deploy: rendered here (Objects), or external (Inputs: what decides it).
type Deployable struct {
	ID       string   `json:"id"`
	Kind     string   `json:"kind"`
	File     string   `json:"file,omitempty"`
	External string   `json:"external,omitempty"`
	Inputs   any      `json:"inputs,omitempty"`
	Error    string   `json:"error,omitempty"`
	Objects  []Object `json:"objects,omitempty"`
	Commands []string `json:"commands,omitempty"`
}

// Answer is the truth of one revision (or of one request's mode: the Application rendered as one deployable; the
// generated Applications and each generator's parameter sets).
type Answer struct {
	Deployables  []Deployable       `json:"deployables"`
	Error        string             `json:"error,omitempty"`
	Applications []map[string]any   `json:"applications,omitempty"`
	Params       [][]map[string]any `json:"params,omitempty"`
}

func main() {
	log.SetOutput(io.Discard)
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 64<<20)
	out := json.NewEncoder(os.Stdout)
	for in.Scan() {
		var req Request
		var ans Answer
		if err := json.Unmarshal(in.Bytes(), &req); err != nil {
			ans.Error = fmt.Sprintf("bad request: %v", err)
		} else {
			ans = answer(req)
		}
		if err := out.Encode(ans); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}
