package main

// An Argo CD directory source's .jsonnet files, evaluated as Argo CD's repo-server evaluates them (argoproj/argo-cd
// reposerver/repository/repository.go makeJsonnetVM, findManifests): go-jsonnet's VM, its TLAs and extVars (code or
// string) after the repo-server's env substitution, JPaths = [app path, libs… (relative to the repository root)],
// go-jsonnet's FileImporter; each file's JSON an array of objects or one object. The FileImporter reads through Go's
// os package: the host's in-memory revision, nothing else (an import outside it is not found); in the native helper,
// jsonnet_importer.go reads the helper's memory as the FileImporter reads files.

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/go-jsonnet"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// jsonnetVar is one of `directory.jsonnet.tlas` or `extVars`.
type jsonnetVar struct {
	Name  string `json:"name"`
	Value string `json:"value"`
	Code  bool   `json:"code"`
}

// jsonnetSpec is the one argument of `jsonnet`: the source's options and the files to evaluate, in walk order.
type jsonnetSpec struct {
	RepoRoot string       `json:"repoRoot"`
	AppPath  string       `json:"appPath"`
	Files    []string     `json:"files"`
	TLAs     []jsonnetVar `json:"tlas"`
	ExtVars  []jsonnetVar `json:"extVars"`
	Libs     []string     `json:"libs"`
	// Env is the repo-server's build environment (ARGOCD_APP_NAME, …) as the host knows it.
	Env map[string]string `json:"env"`
	// Unknown names the variables the host cannot know (the resolved revision): a value naming one is refused.
	Unknown []string `json:"unknown"`
}

// jsonnetFile is one file's objects, as Argo CD unmarshals them (a null element is none).
type jsonnetFile struct {
	File    string           `json:"file"`
	Objects []map[string]any `json:"objects"`
}

// errUnknownVariable is a TLA or extVar naming a variable whose value the host does not know.
type errUnknownVariable struct{ name string }

func (e errUnknownVariable) Error() string { return "unknown variable $" + e.name }

func jsonnetEval(args []string, stdout io.Writer) error {
	var spec jsonnetSpec
	if err := jsonArgument("jsonnet", args, &spec); err != nil {
		return err
	}
	out := []jsonnetFile{}
	for _, file := range spec.Files {
		// A VM per file, as findManifests makes one per file.
		vm, err := makeJsonnetVM(&spec)
		if err != nil {
			return err
		}
		objects, err := evaluateJsonnetFile(vm, file)
		if err != nil {
			return err
		}
		out = append(out, jsonnetFile{File: file, Objects: objects})
	}
	return json.NewEncoder(stdout).Encode(out)
}

// evaluateJsonnetFile is findManifests' branch for one .jsonnet file, with its messages.
func evaluateJsonnetFile(vm *jsonnet.VM, file string) ([]map[string]any, error) {
	name := filepath.Base(file)
	jsonStr, err := vm.EvaluateFile(file)
	if err != nil {
		if kept, ok := vm.ErrorFormatter.(*keptFormatter); ok {
			err = jsonnetError{err, kept.last}
		}
		return nil, fmt.Errorf("Failed to evaluate jsonnet %q: %w", name, err)
	}
	if err := checkRendered(map[string]string{file: jsonStr}); err != nil {
		return nil, err
	}
	var objs []*unstructured.Unstructured
	if err := json.Unmarshal([]byte(jsonStr), &objs); err != nil {
		var obj unstructured.Unstructured
		if err := json.Unmarshal([]byte(jsonStr), &obj); err != nil {
			return nil, fmt.Errorf("Failed to unmarshal generated json %q: %v", name, err)
		}
		objs = []*unstructured.Unstructured{&obj}
	}
	objects := []map[string]any{}
	for _, o := range objs {
		if o != nil {
			objects = append(objects, o.Object)
		}
	}
	if limits.ObjectLimit > 0 && len(objects) > limits.ObjectLimit {
		return nil, errLimit{"objects"}
	}
	return objects, nil
}

// makeJsonnetVM is the repo-server's: substituted TLAs and extVars, JPaths [app path, libs…], a FileImporter. Like
// the repo-server's, it substitutes the values in place (its TLAs and extVars share the source's backing arrays), so
// the n-th .jsonnet file of a source sees them substituted n times (a `$$X` is `$X` for the first, X's value after).
func makeJsonnetVM(spec *jsonnetSpec) (*jsonnet.VM, error) {
	vm := jsonnet.MakeVM()
	vm.ErrorFormatter = &keptFormatter{ErrorFormatter: vm.ErrorFormatter}
	for _, vars := range [][]jsonnetVar{spec.TLAs, spec.ExtVars} {
		for i := range vars {
			value, err := envsubst(*spec, vars[i].Value)
			if err != nil {
				return nil, err
			}
			vars[i].Value = value
		}
	}
	for _, arg := range spec.TLAs {
		if arg.Code {
			vm.TLACode(arg.Name, arg.Value)
		} else {
			vm.TLAVar(arg.Name, arg.Value)
		}
	}
	for _, extVar := range spec.ExtVars {
		if extVar.Code {
			vm.ExtCode(extVar.Name, extVar.Value)
		} else {
			vm.ExtVar(extVar.Name, extVar.Value)
		}
	}
	jpaths := []string{spec.AppPath}
	for _, p := range spec.Libs {
		jpath, err := resolveLibPath(spec.RepoRoot, p)
		if err != nil {
			return nil, err
		}
		jpaths = append(jpaths, jpath)
	}
	vm.Importer(jsonnetImporter(jpaths))
	return vm, nil
}

// keptFormatter is go-jsonnet's error formatter keeping the error it formats: VM.EvaluateFile returns the text only.
type keptFormatter struct {
	jsonnet.ErrorFormatter
	last error
}

func (f *keptFormatter) Format(err error) string {
	f.last = err
	return f.ErrorFormatter.Format(err)
}

// jsonnetError is go-jsonnet's formatted error (its words), the RuntimeError or StaticError it formatted beneath.
type jsonnetError struct{ formatted, cause error }

func (e jsonnetError) Error() string { return e.formatted.Error() }
func (e jsonnetError) Unwrap() error { return e.cause }

// envsubst is Argo CD's Env.Envsubst (os.Expand, `$$` a `$`, an unset variable empty), refusing a variable the host
// cannot know rather than substituting a wrong value.
func envsubst(spec jsonnetSpec, s string) (string, error) {
	var unknown error
	out := os.Expand(s, func(name string) string {
		if name == "$" {
			return "$"
		}
		for _, u := range spec.Unknown {
			if name == u && unknown == nil {
				unknown = errUnknownVariable{name}
			}
		}
		return spec.Env[name]
	})
	return out, unknown
}

// resolveLibPath is Argo CD's path.ResolveFileOrDirectoryPath(repoRoot, repoRoot, lib): relative to the repository
// root (an absolute path too), a symbolic link followed, and inside the repository (the root itself allowed).
func resolveLibPath(repoRoot, lib string) (string, error) {
	root, err := filepath.Abs(repoRoot)
	if err != nil {
		return "", err
	}
	p := filepath.Join(root, lib)
	for depth := 0; ; depth++ {
		target, err := readlink(p)
		if err != nil {
			break
		}
		if depth == 10 {
			return "", fmt.Errorf("internal error: failed to resolve path. Check logs for more details")
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(p), target)
		}
		p = target
	}
	p = filepath.Clean(p)
	required := strings.TrimSuffix(root, string(os.PathSeparator)) + string(os.PathSeparator)
	if p+string(os.PathSeparator) != required && !strings.HasPrefix(p, required) {
		return "", fmt.Errorf("file '%s' resolved to outside repository root", lib)
	}
	return p, nil
}
