//go:build ameide_helper

package main

// The calls of Go's os and filepath packages that kustomize (kustomize_fs.go), Flux's artifact (fluxartifact) and
// `helm dependency build` (dependency.go) make, answered by the request's tree (memtree.go) as the operating system
// answers them: a folder's names, a walk, a file opened, folders made, a chart's archive saved, a file or an empty
// folder removed (in the request's own layer: it ends with the request).

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"path/filepath"
	"syscall"

	"ameide.dev/render-module/fluxartifact"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	chartutil "helm.sh/helm/v4/pkg/chart/v2/util"
)

// readDirNames is os.ReadDir's names, sorted: the folder's links followed.
func (m *memFS) readDirNames(name string) ([]string, error) {
	n, real, err := m.resolve(name)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	if !n.dir {
		return nil, &fs.PathError{Op: "readdirent", Path: name, Err: syscall.ENOTDIR}
	}
	return m.tree.names(real), nil
}

// mkdirAll is os.MkdirAll: each missing folder of the path made, a file on the way ENOTDIR.
func (m *memFS) mkdirAll(name string) error {
	p := m.abs(name)
	if n, _, err := m.resolve(p); err == nil {
		if n.dir {
			return nil
		}
		return &fs.PathError{Op: "mkdir", Path: name, Err: syscall.ENOTDIR}
	}
	if err := m.mkdirAll(path.Dir(p)); err != nil {
		return err
	}
	_, dir, err := m.resolve(path.Dir(p))
	if err != nil {
		return &fs.PathError{Op: "mkdir", Path: name, Err: err}
	}
	m.tree.set(path.Join(dir, path.Base(p)), &node{dir: true})
	return nil
}

// saveChart is chartutil.Save into a folder that exists: the archive Save writes (chartutil.WriteArchive, the overlay
// of _overlay/helm/save.go.patch), at <name>-<version>.tgz.
func (m *memFS) saveChart(c *chart.Chart, outDir string) (string, error) {
	var archive bytes.Buffer
	if err := chartutil.WriteArchive(c, &archive); err != nil {
		return "", err
	}
	filename := filepath.Join(outDir, fmt.Sprintf("%s-%s.tgz", c.Name(), c.Metadata.Version))
	return filename, m.writeFile(filename, archive.Bytes())
}

// remove is os.Remove: a file or link, or a folder with nothing left in it, gone from this request's view.
func (m *memFS) remove(name string) error {
	n, at, err := m.lstat(name)
	if err == nil && n.dir && len(m.tree.names(at)) > 0 {
		err = syscall.ENOTEMPTY
	}
	if err != nil {
		return &fs.PathError{Op: "remove", Path: name, Err: err}
	}
	m.tree.set(at, &node{gone: true})
	return nil
}

// walk is filepath.Walk: the root and every name below it, folders before their contents, names sorted, links not
// followed; walkFn's fs.SkipDir skips a folder, fs.SkipAll the rest.
func (m *memFS) walk(root string, walkFn filepath.WalkFunc) error {
	n, _, err := m.lstat(root)
	if err != nil {
		err = walkFn(root, nil, &fs.PathError{Op: "lstat", Path: root, Err: err})
	} else {
		err = m.walkFrom(root, info{path.Base(root), n}, walkFn)
	}
	if errors.Is(err, filepath.SkipDir) || errors.Is(err, filepath.SkipAll) {
		return nil
	}
	return err
}

func (m *memFS) walkFrom(name string, fi info, walkFn filepath.WalkFunc) error {
	if !fi.IsDir() {
		return walkFn(name, fi, nil)
	}
	names, err := m.readDirNames(name)
	err1 := walkFn(name, fi, err)
	if err != nil || err1 != nil {
		return err1
	}
	for _, child := range names {
		at := filepath.Join(name, child)
		n, _, err := m.lstat(at)
		if err != nil {
			if err := walkFn(at, nil, &fs.PathError{Op: "lstat", Path: at, Err: err}); err != nil && !errors.Is(err, filepath.SkipDir) {
				return err
			}
			continue
		}
		if err := m.walkFrom(at, info{child, n}, walkFn); err != nil && (!n.dir || !errors.Is(err, filepath.SkipDir)) {
			return err
		}
	}
	return nil
}

// memArtifactFiles is fluxartifact.Files over the request's tree.
type memArtifactFiles struct{ m *memFS }

var _ fluxartifact.Files = memArtifactFiles{}

// Open is os.Open for reading: a folder opens, and reading it fails as reading a folder does.
func (a memArtifactFiles) Open(name string) (io.ReadCloser, error) {
	n, _, err := a.m.resolve(name)
	switch {
	case err != nil:
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	case n.dir:
		return io.NopCloser(failing{&fs.PathError{Op: "read", Path: name, Err: syscall.EISDIR}}), nil
	}
	return io.NopCloser(bytes.NewReader(n.data)), nil
}

type failing struct{ err error }

func (f failing) Read([]byte) (int, error) { return 0, f.err }

// ReadDir is os.ReadDir: each entry as Lstat sees it (a link is a link).
func (a memArtifactFiles) ReadDir(name string) ([]fs.DirEntry, error) {
	names, err := a.m.readDirNames(name)
	if err != nil {
		return nil, err
	}
	_, real, _ := a.m.resolve(name)
	entries := make([]fs.DirEntry, 0, len(names))
	for _, child := range names {
		entries = append(entries, fs.FileInfoToDirEntry(info{child, a.m.tree.get(path.Join(real, child))}))
	}
	return entries, nil
}

func (a memArtifactFiles) Lstat(name string) (fs.FileInfo, error) {
	n, _, err := a.m.lstat(name)
	if err != nil {
		return nil, &fs.PathError{Op: "lstat", Path: name, Err: err}
	}
	return info{path.Base(name), n}, nil
}

func (a memArtifactFiles) Remove(name string) error { return a.m.remove(name) }

func (a memArtifactFiles) Walk(root string, fn filepath.WalkFunc) error { return a.m.walk(root, fn) }
