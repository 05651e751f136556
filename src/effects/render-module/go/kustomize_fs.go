//go:build ameide_helper

package main

// kustomize's file system (kyaml's filesys.FileSystem) over the native helper's memory (memtree.go), answering as
// filesys.MakeFsOnDisk answers over the operating system's files: what `kustomize build` reads is the request's tree,
// links followed as the kernel follows them, the same errors in the same words. A file written (Argo CD's `kustomize
// edit` writes the kustomization) is the request's own, as in a wasm worker; creating, making folders and removing
// are refused as on a read-only file system (neither `kustomize build` nor `kustomize edit` does them).

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"strings"
	"syscall"

	kerrors "sigs.k8s.io/kustomize/kyaml/errors"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

type memKustomizeFS struct{ m *memFS }

var _ filesys.FileSystem = memKustomizeFS{}

func readOnly(op, name string) error { return &fs.PathError{Op: op, Path: name, Err: syscall.EROFS} }

func (memKustomizeFS) Create(name string) (filesys.File, error) { return nil, readOnly("open", name) }
func (memKustomizeFS) Mkdir(name string) error                  { return readOnly("mkdir", name) }
func (memKustomizeFS) MkdirAll(name string) error               { return readOnly("mkdir", name) }
func (memKustomizeFS) RemoveAll(name string) error              { return readOnly("unlinkat", name) }

// WriteFile is fsOnDisk's: os.WriteFile (Argo CD's `kustomize edit` writes the kustomization it edits).
func (k memKustomizeFS) WriteFile(name string, data []byte) error {
	return kerrors.Wrap(k.m.writeFile(name, data))
}

// Open is os.Open for reading: a file's bytes and what Stat says of them.
func (k memKustomizeFS) Open(name string) (filesys.File, error) {
	n, _, err := k.m.resolve(name)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	return &memFile{Reader: bytes.NewReader(n.data), info: info{path.Base(name), n}}, nil
}

// CleanedAbs is fsOnDisk's: the absolute path with every link resolved (filepath.EvalSymlinks), split into a
// confirmed folder and a file name ("" when the whole path is a folder).
func (k memKustomizeFS) CleanedAbs(name string) (filesys.ConfirmedDir, string, error) {
	deLinked, err := k.evalSymlinks(name)
	if err != nil {
		return "", "", fmt.Errorf("evalsymlink failure on '%s' : %w", name, err)
	}
	if k.IsDir(deLinked) {
		return filesys.ConfirmedDir(deLinked), "", nil
	}
	return filesys.ConfirmedDir(path.Dir(deLinked)), path.Base(deLinked), nil
}

// evalSymlinks is filepath.EvalSymlinks of the absolute path, in its words: a missing part is lstat's ENOENT on the
// path so far, a file followed by more parts a bare ENOTDIR, a loop "too many links".
func (k memKustomizeFS) evalSymlinks(name string) (string, error) {
	n, real, err := k.m.resolve(name)
	switch {
	case errors.Is(err, errLoop):
		return "", errors.New("EvalSymlinks: too many links")
	case errors.Is(err, syscall.ENOTDIR):
		return "", syscall.ENOTDIR
	case err != nil:
		return "", &fs.PathError{Op: "lstat", Path: real, Err: err}
	case n == nil:
		return "", &fs.PathError{Op: "lstat", Path: real, Err: syscall.ENOENT}
	}
	return real, nil
}

func (k memKustomizeFS) Exists(name string) bool { return k.m.exists(name) }

func (k memKustomizeFS) IsDir(name string) bool { return k.m.isDir(name) }

// ReadDir is os.ReadDir's names, sorted.
func (k memKustomizeFS) ReadDir(name string) ([]string, error) { return k.m.readDirNames(name) }

func (k memKustomizeFS) ReadFile(name string) ([]byte, error) {
	data, err := k.m.readFile(name)
	return data, kerrors.Wrap(err)
}

// Glob is fsOnDisk's: filepath.Glob's matches, hidden files left out unless the pattern names them.
func (k memKustomizeFS) Glob(pattern string) ([]string, error) {
	matches, err := k.glob(pattern)
	if err != nil || filesys.IsHiddenFilePath(pattern) {
		return matches, err
	}
	return filesys.RemoveHiddenFiles(matches), nil
}

// glob is filepath.Glob: a pattern without meta characters is itself where it exists; else its folder's matches
// (themselves globbed) and each one's names matching the last part, in order.
func (k memKustomizeFS) glob(pattern string) ([]string, error) {
	if _, err := filepath.Match(pattern, ""); err != nil {
		return nil, err
	}
	if !strings.ContainsAny(pattern, `*?[\`) {
		if _, _, err := k.m.lstat(pattern); err != nil {
			return nil, nil
		}
		return []string{pattern}, nil
	}
	dir, file := filepath.Split(pattern)
	dir = strings.TrimSuffix(dir, "/")
	if dir == "" && strings.HasPrefix(pattern, "/") {
		dir = "/"
	}
	dirs := []string{dir}
	if strings.ContainsAny(dir, `*?[\`) {
		var err error
		if dirs, err = k.glob(dir); err != nil {
			return nil, err
		}
	}
	var matches []string
	for _, d := range dirs {
		names, err := k.m.readDirNames(orDot(d))
		if err != nil {
			continue
		}
		for _, name := range names {
			if ok, _ := filepath.Match(file, name); ok {
				matches = append(matches, filepath.Join(d, name))
			}
		}
	}
	return matches, nil
}

func orDot(dir string) string {
	if dir == "" {
		return "."
	}
	return dir
}

// Walk is filepath.Walk over the tree (memfiles.go).
func (k memKustomizeFS) Walk(root string, walkFn filepath.WalkFunc) error {
	return k.m.walk(root, walkFn)
}

// memFile is an opened file of the tree, for reading.
type memFile struct {
	*bytes.Reader
	info info
}

func (f *memFile) Write([]byte) (int, error)  { return 0, readOnly("write", f.info.name) }
func (f *memFile) Close() error               { return nil }
func (f *memFile) Stat() (fs.FileInfo, error) { return f.info, nil }
