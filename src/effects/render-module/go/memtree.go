//go:build ameide_helper

package main

// The native helper's file system: the revision's trees as the host sends them (../tree.ts RequestTree, the wasm
// worker's snapshots), laid one over the other as ../memfs.ts lays them (files and folders, then links), and the
// request's own files over them. Helm's chart loader reads a folder from here (loadDirFrom: loader.LoadDir's walk,
// step for step, ending in loader.LoadFiles); values files are read from here. Nothing here calls the operating system.

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"syscall"
	"time"

	"helm.sh/helm/v4/pkg/chart/loader/archive"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	"helm.sh/helm/v4/pkg/ignore"
)

// Snapshot is one tree as ../tree.ts sends it: absolute slash paths.
type Snapshot struct {
	Files map[string][]byte `json:"files"`
	Dirs  []string          `json:"dirs"`
	Links map[string]string `json:"links"`
}

type node struct {
	dir    bool
	link   bool
	data   []byte
	target string
	// gone: removed in this layer (a whiteout), whatever a layer below holds at the path.
	gone bool
}

// memTree is one tree: nodes by absolute path, and each folder's names.
type memTree struct {
	nodes    map[string]*node
	children map[string]map[string]bool
	parent   *memTree
}

func newTree(parent *memTree) *memTree {
	t := &memTree{nodes: map[string]*node{}, children: map[string]map[string]bool{}, parent: parent}
	t.nodes["/"] = &node{dir: true}
	return t
}

// set puts n at p, its folders made as MemoryTree.set makes them.
func (t *memTree) set(p string, n *node) {
	p = path.Clean("/" + p)
	for at := p; at != "/"; {
		dir, name := path.Dir(at), path.Base(at)
		if t.children[dir] == nil {
			t.children[dir] = map[string]bool{}
		}
		t.children[dir][name] = true
		if n, ok := t.nodes[dir]; !ok || n.gone {
			t.nodes[dir] = &node{dir: true}
		}
		at = dir
	}
	t.nodes[p] = n
}

func (t *memTree) get(p string) *node {
	for at := t; at != nil; at = at.parent {
		if n, ok := at.nodes[p]; ok {
			if n.gone {
				return nil
			}
			return n
		}
	}
	return nil
}

// names are a folder's entries over every layer, sorted.
func (t *memTree) names(dir string) []string {
	out := []string{}
	for n := range t.namesIn(dir) {
		if t.get(path.Join(dir, n)) != nil {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// namesIn are the names every layer lists in a folder, those removed above included.
func (t *memTree) namesIn(dir string) map[string]bool {
	seen := map[string]bool{}
	for at := t; at != nil; at = at.parent {
		for n := range at.children[dir] {
			seen[n] = true
		}
	}
	return seen
}

// fill lays the snapshots into t: files and folders, then links (../memfs.ts fill).
func (t *memTree) fill(snapshots []*Snapshot) *memTree {
	for _, s := range snapshots {
		for p, data := range s.Files {
			t.set(p, &node{data: data})
		}
		for _, d := range s.Dirs {
			t.set(d, &node{dir: true})
		}
	}
	for _, s := range snapshots {
		for p, target := range s.Links {
			t.set(p, &node{link: true, target: target})
		}
	}
	return t
}

// memFS is one request's view: its tree, its working folder.
type memFS struct {
	tree *memTree
	cwd  string
}

func (m *memFS) abs(p string) string {
	if !path.IsAbs(p) {
		p = path.Join(m.cwd, p)
	}
	return path.Clean(p)
}

var errLoop = errors.New("too many levels of symbolic links")

// resolve follows the links of every part of p (the last one too): the node and its real path.
func (m *memFS) resolve(p string) (*node, string, error) {
	p = m.abs(p)
	for hops := 0; hops < 40; hops++ {
		parts := strings.Split(strings.TrimPrefix(p, "/"), "/")
		at := "/"
		restart := false
		for i, part := range parts {
			if part == "" {
				continue
			}
			next := path.Join(at, part)
			n := m.tree.get(next)
			if n == nil {
				return nil, next, syscall.ENOENT
			}
			if n.link {
				target := n.target
				if !path.IsAbs(target) {
					target = path.Join(at, target)
				}
				p = path.Clean(path.Join(append([]string{target}, parts[i+1:]...)...))
				restart = true
				break
			}
			if !n.dir && i < len(parts)-1 {
				return nil, next, syscall.ENOTDIR
			}
			at = next
		}
		if !restart {
			return m.tree.get(at), at, nil
		}
	}
	return nil, p, errLoop
}

// lstat is resolve but for the last part, not followed: a link is the link itself.
func (m *memFS) lstat(name string) (*node, string, error) {
	p := m.abs(name)
	if p == "/" {
		return m.resolve(p)
	}
	parent, dir, err := m.resolve(path.Dir(p))
	if err != nil {
		return nil, dir, err
	}
	at := path.Join(dir, path.Base(p))
	if !parent.dir {
		return nil, at, syscall.ENOTDIR
	}
	if n := m.tree.get(at); n != nil {
		return n, at, nil
	}
	return nil, at, syscall.ENOENT
}

// writeFile is os.WriteFile into the request's own layer (its writes end with the request, as a wasm worker's do):
// through a link to its target, into a folder that exists; a folder is not written over.
func (m *memFS) writeFile(name string, data []byte) error {
	p := m.abs(name)
	parent, dir, err := m.resolve(path.Dir(p))
	if err == nil && !parent.dir {
		err = syscall.ENOTDIR
	}
	at := path.Join(dir, path.Base(p))
	if n := m.tree.get(at); err == nil && n != nil && (n.dir || n.link) {
		n, at, err = m.resolve(at)
		if err == nil && n.dir {
			err = syscall.EISDIR
		}
	}
	if err != nil {
		return &fs.PathError{Op: "open", Path: name, Err: err}
	}
	m.tree.set(at, &node{data: bytes.Clone(data)})
	return nil
}

// exists is os.Stat's success: the path is there, its links followed.
func (m *memFS) exists(name string) bool {
	_, _, err := m.resolve(name)
	return err == nil
}

// readlink is os.Readlink: a link's target as written.
func (m *memFS) readlink(name string) (string, error) {
	n, _, err := m.lstat(name)
	switch {
	case err != nil:
		return "", &fs.PathError{Op: "readlink", Path: name, Err: err}
	case !n.link:
		return "", &fs.PathError{Op: "readlink", Path: name, Err: syscall.EINVAL}
	}
	return n.target, nil
}

func (m *memFS) readFile(name string) ([]byte, error) {
	n, _, err := m.resolve(name)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	if n.dir {
		return nil, &fs.PathError{Op: "read", Path: name, Err: syscall.EISDIR}
	}
	return n.data, nil
}

func (m *memFS) isDir(name string) bool {
	n, _, err := m.resolve(name)
	return err == nil && n.dir
}

// loadChart is loader.Load over memory: a folder (loadDir), else an archive.
func (m *memFS) loadChart(name string) (*chart.Chart, error) {
	n, _, err := m.resolve(name)
	if err != nil {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: err}
	}
	if n.dir {
		return m.loadDir(name)
	}
	return loader.LoadArchive(bytes.NewReader(n.data))
}

// info is the fs.FileInfo .helmignore's rules ask of.
type info struct {
	name string
	n    *node
}

func (i info) Name() string { return i.name }
func (i info) Size() int64  { return int64(len(i.n.data)) }
func (i info) Mode() fs.FileMode {
	if i.n.link {
		return fs.ModeSymlink | 0o777
	}
	if i.n.dir {
		return fs.ModeDir | 0o755
	}
	return 0o644
}
func (i info) ModTime() time.Time { return time.Time{} }
func (i info) IsDir() bool        { return i.n.dir }
func (i info) Sys() any           { return nil }

var utf8bom = []byte{0xEF, 0xBB, 0xBF}

// loadDir is loader.LoadDir (Helm v4's pkg/chart/v2/loader/directory.go) over memory: the .helmignore's rules, the
// walk of sympath.Walk (names sorted per folder, links followed), the same errors, then loader.LoadFiles.
func (m *memFS) loadDir(dir string) (*chart.Chart, error) {
	topdir := m.abs(dir)
	c := &chart.Chart{}
	rules := ignore.Empty()
	if data, err := m.readFile(path.Join(topdir, ignore.HelmIgnore)); err == nil {
		r, err := ignore.Parse(bytes.NewReader(data))
		if err != nil {
			return c, err
		}
		rules = r
	}
	rules.AddDefaults()
	files := []*archive.BufferedFile{}
	var walk func(name, rel string) error
	walk = func(name, rel string) error {
		n, _, err := m.resolve(name)
		if err != nil {
			return fmt.Errorf("error evaluating symlink %s: %w", name, &fs.PathError{Op: "lstat", Path: name, Err: err})
		}
		fi := info{path.Base(name), n}
		if rel != "" {
			if n.dir {
				if rules.Ignore(rel, fi) {
					return nil
				}
			} else {
				if rules.Ignore(rel, fi) {
					return nil
				}
				if int64(len(n.data)) > archive.MaxDecompressedFileSize {
					return fmt.Errorf("chart file %q is larger than the maximum file size %d", fi.Name(), archive.MaxDecompressedFileSize)
				}
				files = append(files, &archive.BufferedFile{Name: rel, Data: bytes.TrimPrefix(n.data, utf8bom)})
				return nil
			}
		}
		_, real, _ := m.resolve(name)
		for _, child := range m.tree.names(real) {
			childRel := child
			if rel != "" {
				childRel = rel + "/" + child
			}
			if err := walk(path.Join(name, child), childRel); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(topdir, ""); err != nil {
		return c, err
	}
	return loader.LoadFiles(files)
}
