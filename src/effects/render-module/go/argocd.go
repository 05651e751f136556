package main

// An Argo CD kustomize source's options, applied as its repo-server applies them before `kustomize build`: the
// sequence of argo-cd v3.5.1 util/kustomize/kustomize.go Build, step for step — `kustomize edit set nameprefix`,
// `namesuffix`, `image` (Envsubst'd), `replicas`, `edit add label` (`--force`, `--without-selector`,
// `--include-templates`; values Envsubst'd), `edit add annotation` (Envsubst'd with commonAnnotationsEnvsubst),
// `edit set namespace`, the patches appended to the kustomization through sigs.k8s.io/yaml, `edit add component`
// (the missing ones left out with ignoreMissingComponents) — each edit run by kustomize's own edit command
// (sigs.k8s.io/kustomize/kustomize/v5/commands/edit) in this process, on the request's in-memory files (the
// request's cwd is the source's folder; its writes end with the request).

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"

	"sigs.k8s.io/kustomize/api/konfig"
	"sigs.k8s.io/kustomize/api/provider"
	"sigs.k8s.io/kustomize/kustomize/v5/commands/edit"
	"sigs.k8s.io/yaml"
)

// argoKustomize is Argo CD's ApplicationSourceKustomize (the fields Build reads), with the build environment (newEnv)
// and the repository root.
type argoKustomize struct {
	NamePrefix                string            `json:"namePrefix"`
	NameSuffix                string            `json:"nameSuffix"`
	Images                    []string          `json:"images"`
	Replicas                  []argoReplica     `json:"replicas"`
	CommonLabels              map[string]string `json:"commonLabels"`
	ForceCommonLabels         bool              `json:"forceCommonLabels"`
	LabelWithoutSelector      bool              `json:"labelWithoutSelector"`
	LabelIncludeTemplates     bool              `json:"labelIncludeTemplates"`
	CommonAnnotations         map[string]string `json:"commonAnnotations"`
	ForceCommonAnnotations    bool              `json:"forceCommonAnnotations"`
	CommonAnnotationsEnvsubst bool              `json:"commonAnnotationsEnvsubst"`
	Namespace                 string            `json:"namespace"`
	Patches                   []any             `json:"patches"`
	Components                []string          `json:"components"`
	IgnoreMissingComponents   bool              `json:"ignoreMissingComponents"`
	Env                       map[string]string `json:"env"`
	RepoRoot                  string            `json:"repoRoot"`
}

// argoReplica's count is an int or a string of one (KustomizeReplica.GetIntCount).
type argoReplica struct {
	Name  string          `json:"name"`
	Count json.RawMessage `json:"count"`
}

func (r argoReplica) intCount() (int, error) {
	var s string
	if json.Unmarshal(r.Count, &s) == nil {
		count, err := strconv.Atoi(s)
		if err != nil {
			return 0, fmt.Errorf("expected integer value for count. Received: %s", s)
		}
		return count, nil
	}
	var n int
	if err := json.Unmarshal(r.Count, &n); err != nil {
		return 0, fmt.Errorf("expected integer value for count. Received: %s", r.Count)
	}
	return n, nil
}

// envsubst is Argo CD's Env.Envsubst.
func (o argoKustomize) envsubst(s string) string {
	return os.Expand(s, func(s string) string {
		if s == "$" {
			return "$"
		}
		return o.Env[s]
	})
}

func argocdKustomizeEdit(args []string, stdout, logged io.Writer) error {
	var o argoKustomize
	if err := jsonArgument("argocd kustomize-edit", args, &o); err != nil {
		return err
	}
	run := func(args ...string) error { return kustomizeEdit(args, stdout, logged) }
	if o.NamePrefix != "" {
		if err := run("set", "nameprefix", "--", o.NamePrefix); err != nil {
			return err
		}
	}
	if o.NameSuffix != "" {
		if err := run("set", "namesuffix", "--", o.NameSuffix); err != nil {
			return err
		}
	}
	if len(o.Images) > 0 {
		args := []string{"set", "image"}
		for _, image := range o.Images {
			args = append(args, o.envsubst(image))
		}
		if err := run(args...); err != nil {
			return err
		}
	}
	if len(o.Replicas) > 0 {
		args := []string{"set", "replicas"}
		for _, r := range o.Replicas {
			count, err := r.intCount()
			if err != nil {
				return err
			}
			args = append(args, fmt.Sprintf("%s=%d", r.Name, count))
		}
		if err := run(args...); err != nil {
			return err
		}
	}
	if len(o.CommonLabels) > 0 {
		args := []string{"add", "label"}
		if o.ForceCommonLabels {
			args = append(args, "--force")
		}
		if o.LabelWithoutSelector {
			args = append(args, "--without-selector")
		}
		if o.LabelIncludeTemplates {
			args = append(args, "--include-templates")
		}
		if err := run(append(args, editAddArgs(o.CommonLabels, o.envsubst)...)...); err != nil {
			return err
		}
	}
	if len(o.CommonAnnotations) > 0 {
		args := []string{"add", "annotation"}
		if o.ForceCommonAnnotations {
			args = append(args, "--force")
		}
		subst := func(s string) string { return s }
		if o.CommonAnnotationsEnvsubst {
			subst = o.envsubst
		}
		if err := run(append(args, editAddArgs(o.CommonAnnotations, subst)...)...); err != nil {
			return err
		}
	}
	if o.Namespace != "" {
		if err := run("set", "namespace", "--", o.Namespace); err != nil {
			return err
		}
	}
	if len(o.Patches) > 0 {
		if err := appendPatches(o.Patches); err != nil {
			return err
		}
	}
	return addComponents(o, run)
}

// editAddArgs is mapToEditAddArgs (kustomize ≥ 3.8.5): one `name:value` each, in name order here (a map's order in Go).
func editAddArgs(val map[string]string, subst func(string) string) []string {
	names := make([]string, 0, len(val))
	for name := range val {
		names = append(names, name)
	}
	sort.Strings(names)
	args := make([]string, 0, len(names))
	for _, name := range names {
		args = append(args, fmt.Sprintf("%s:%s", name, subst(val[name])))
	}
	return args
}

// appendPatches is Build's patches step: the kustomization read and written again through sigs.k8s.io/yaml.
func appendPatches(patches []any) error {
	kustFile := ""
	for _, name := range konfig.RecognizedKustomizationFileNames() {
		if exists(name) {
			kustFile = name
			break
		}
	}
	if kustFile == "" {
		return errors.New("kustomization file not found in the path")
	}
	b, err := readFile(kustFile)
	if err != nil {
		return fmt.Errorf("failed to load kustomization.yaml: %w", err)
	}
	var kustomization any
	if err := yaml.Unmarshal(b, &kustomization); err != nil {
		return fmt.Errorf("failed to unmarshal kustomization.yaml: %w", err)
	}
	kMap, ok := kustomization.(map[string]any)
	if !ok {
		return fmt.Errorf("expected kustomization.yaml to be type map[string]any, but got %T", kMap)
	}
	if existing, ok := kMap["patches"]; ok {
		list, ok := existing.([]any)
		if !ok {
			return fmt.Errorf("expected 'patches' field in kustomization.yaml to be []any, but got %T", existing)
		}
		kMap["patches"] = append(list, patches...)
	} else {
		kMap["patches"] = patches
	}
	updated, err := yaml.Marshal(kMap)
	if err != nil {
		return fmt.Errorf("failed to marshal kustomization.yaml after adding patches: %w", err)
	}
	if err := writeFile(kustFile, updated); err != nil {
		return fmt.Errorf("failed to write kustomization.yaml with updated 'patches' field: %w", err)
	}
	return nil
}

// addComponents is Build's components step: `edit add component`, the missing ones left out when asked.
func addComponents(o argoKustomize, run func(...string) error) error {
	found := o.Components
	if o.IgnoreMissingComponents {
		found = []string{}
		here, err := getwd()
		if err != nil {
			return err
		}
		for _, c := range o.Components {
			rel, err := filepath.Rel(o.RepoRoot, filepath.Join(here, c))
			if err != nil {
				return fmt.Errorf("kustomize components path failed: %w", err)
			}
			if !exists(filepath.Join(o.RepoRoot, rel)) || !filepath.IsLocal(rel) {
				continue
			}
			found = append(found, c)
		}
	}
	if len(found) == 0 {
		return nil
	}
	return run(append([]string{"add", "component"}, found...)...)
}

// kustomizeEdit runs `kustomize edit <args>` through kustomize's own edit command, in the request's cwd.
func kustomizeEdit(args []string, stdout, logged io.Writer) error {
	pvd := provider.NewDefaultDepProvider()
	cmd := edit.NewCmdEdit(kustomizeFS(), pvd.GetFieldValidator(), pvd.GetResourceFactory(), stdout)
	return execute(cmd, args, stdout, logged)
}
