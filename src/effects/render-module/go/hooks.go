package main

import (
	"os"

	"helm.sh/helm/v4/pkg/chart/v2/loader"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// The file access of `helm template`'s and `kustomize build`'s paths, as variables: the WebAssembly build keeps Go's os package (the worker's
// in-memory file system answers it); the native helper (main_helper.go) sets them to its own memory (memtree.go), so
// that no render reaches the operating system's files — its seccomp filter refuses them anyway.
var (
	// readFile reads a values file or a --set-file file.
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
)
