package main

// A Flux Kustomization's post-build variable substitution, as kustomize-controller runs it: its build step
// (fluxcd/kustomize-controller v1.10.1 internal/controller/kustomization_controller.go, build) calls fluxcd/pkg
// kustomize.SubstituteVariables on each resource of the built ResMap, strict (the StrictPostBuildSubstitutions
// feature gate, on by default since v1.9) and `always` when spec.postBuild.substituteStrategy is Always, then prints
// the ResMap. SubstituteVariables itself (fluxcd/pkg kustomize v1.44.0, kustomize_varsub.go) is not linked: it brings
// controller-runtime, client-go and k8s.io/api v0.37 (over the v0.35 Helm is built with) for its cluster client.
// What it does with a resource is reproduced below, line for line, around Flux's own envsubst (fluxcd/pkg envsubst);
// the variables LoadVariables would read from the cluster are the host's, resolved from the revision's ConfigMaps
// and Secrets and merged with postBuild.substitute as LoadVariables and SubstituteVariables merge them.

import (
	"fmt"
	"io"
	"regexp"
	"strings"

	fluxenvsubst "github.com/fluxcd/pkg/envsubst"
	"sigs.k8s.io/kustomize/api/provider"
	"sigs.k8s.io/kustomize/api/resmap"
	"sigs.k8s.io/kustomize/api/resource"
	"sigs.k8s.io/yaml"
)

// fluxSubstituteSpec is the one JSON argument of `flux substitute`.
type fluxSubstituteSpec struct {
	// File is the built YAML (`kustomize build`'s output), in the module's file system.
	File string `json:"file"`
	// Vars are the variables: substituteFrom's data merged in order, postBuild.substitute's over them.
	Vars map[string]string `json:"vars"`
	// Strict is kustomize-controller's StrictPostBuildSubstitutions (true unless the feature gate is turned off).
	Strict bool `json:"strict"`
	// Always is postBuild.substituteStrategy: Always (substitute even with no variables).
	Always bool `json:"always"`
}

// From fluxcd/pkg kustomize v1.44.0 kustomize_varsub.go.
const (
	varsubRegex             = "^[_[:alpha:]][_[:alpha:][:digit:]]*$"
	substituteDisabledValue = "disabled"
	substituteAnnotationKey = "kustomize.toolkit.fluxcd.io/substitute"
)

func fluxSubstitute(args []string, stdout io.Writer) error {
	var spec fluxSubstituteSpec
	if err := jsonArgument("flux substitute", args, &spec); err != nil {
		return err
	}
	built, err := readFile(spec.File)
	if err != nil {
		return err
	}
	m, err := resmap.NewFactory(provider.NewDepProvider().GetResourceFactory()).NewResMapFromBytes(built)
	if err != nil {
		return err
	}
	// LoadVariables and SubstituteVariables strip the newlines of every value they read.
	vars := make(map[string]string, len(spec.Vars))
	for k, v := range spec.Vars {
		vars[k] = strings.ReplaceAll(v, "\n", "")
	}
	// kustomize-controller's build loop (the post-build part of it).
	for _, res := range m.Resources() {
		outRes, err := substituteVariables(res, vars, spec.Strict, spec.Always)
		if err != nil {
			return fmt.Errorf("post build failed for '%s/%s': %w", res.GetGvk(), res.GetName(), err)
		}
		if outRes != nil {
			if _, err := m.Replace(res); err != nil {
				return err
			}
		}
	}
	resources, err := m.AsYaml()
	if err != nil {
		return fmt.Errorf("kustomize build failed: %w", err)
	}
	if err := checkRendered(map[string]string{spec.File: string(resources)}); err != nil {
		return err
	}
	_, err = stdout.Write(resources)
	return err
}

// substituteVariables is SubstituteVariables with its variables loaded: a resource labeled or annotated
// `kustomize.toolkit.fluxcd.io/substitute: disabled` is skipped; with no variable (and not Always), untouched.
func substituteVariables(res *resource.Resource, vars map[string]string, strict, always bool) (*resource.Resource, error) {
	resData, err := res.AsYAML()
	if err != nil {
		return nil, err
	}
	if res.GetLabels()[substituteAnnotationKey] == substituteDisabledValue ||
		res.GetAnnotations()[substituteAnnotationKey] == substituteDisabledValue {
		return nil, nil
	}
	if len(vars) > 0 || always {
		jsonData, err := varSubstitution(resData, vars, strict)
		if err != nil {
			return nil, fmt.Errorf("envsubst error: %w", err)
		}
		err = res.UnmarshalJSON(jsonData)
		if err != nil {
			return nil, fmt.Errorf("UnmarshalJSON: %w", err)
		}
	}
	return res, nil
}

// varSubstitution is fluxcd/pkg kustomize's: the names checked, envsubst over the resource's YAML, the result read
// back as YAML (a value that breaks the YAML is an error, as in the cluster).
func varSubstitution(data []byte, vars map[string]string, strict bool) ([]byte, error) {
	r, _ := regexp.Compile(varsubRegex)
	for v := range vars {
		if !r.MatchString(v) {
			return nil, fmt.Errorf("'%s' var name is invalid, must match '%s'", v, varsubRegex)
		}
	}
	output, err := fluxenvsubst.Eval(string(data), func(s string) (string, bool) {
		if strict {
			v, exists := vars[s]
			return v, exists
		}
		return vars[s], true
	})
	if err != nil {
		return nil, fmt.Errorf("variable substitution failed: %w", err)
	}
	jsonData, err := yaml.YAMLToJSON([]byte(output))
	if err != nil {
		return nil, fmt.Errorf("YAMLToJSON: %w", err)
	}
	return jsonData, nil
}
