package main

import (
	"os"

	"ameide.dev/render-module/fluxartifact"
	"github.com/google/go-jsonnet"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	chartutil "helm.sh/helm/v4/pkg/chart/v2/util"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// The file access of `helm template`, `kustomize build`, Argo CD's `kustomize edit`, jsonnet and Flux's steps, as
// variables: the WebAssembly build keeps Go's os package (the worker's in-memory file system answers it); the
// native helper (main_helper.go) sets them to its own memory (memtree.go), so that no render reaches the operating
// system's files — its seccomp filter refuses them anyway.
var (
	// readFile reads a values file, a --set-file file or the build `flux substitute` substitutes.
	readFile = os.ReadFile
	// loadChartPath is loader.Load: a chart folder or archive.
	loadChartPath = loader.Load
	// isDir tells whether a path is a folder.
	isDir = func(p string) bool {
		fi, err := os.Stat(p)
		return err == nil && fi.IsDir()
	}
	// kustomizeFS is what `kustomize build` reads through (kustomize.go).
	kustomizeFS = filesys.MakeFsOnDisk
	// jsonnetImporter is what Argo CD's jsonnet imports through (jsonnet.go): go-jsonnet's FileImporter.
	jsonnetImporter = func(jpaths []string) jsonnet.Importer { return &jsonnet.FileImporter{JPaths: jpaths} }
	// readlink reads a link (jsonnet.go: a library path).
	readlink = os.Readlink
	// exists is os.Stat's success; writeFile os.WriteFile; getwd os.Getwd (argocd.go: Argo CD's own steps).
	exists = func(p string) bool {
		_, err := os.Stat(p)
		return err == nil
	}
	writeFile = func(p string, data []byte) error { return os.WriteFile(p, data, 0o644) }
	getwd     = os.Getwd
	// loadChartDir is loader.LoadDir; mkdirAll os.MkdirAll; saveChart chartutil.Save (dependency.go).
	loadChartDir = loader.LoadDir
	mkdirAll     = func(p string) error { return os.MkdirAll(p, 0o755) }
	saveChart    = chartutil.Save
	// artifactFiles is where Flux's artifact is made (flux_artifact.go).
	artifactFiles = func() fluxartifact.Files { return fluxartifact.OS{} }
)
