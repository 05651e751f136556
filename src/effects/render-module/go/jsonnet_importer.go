//go:build ameide_helper

package main

// go-jsonnet's FileImporter (imports.go: tryPath, Import) over the native helper's memory (memtree.go): an import
// is looked for beside the importing file, then in each library path from the last, read once per VM, a path that
// does not exist (ENOENT) is "not here" and any other failure the import's error — as the FileImporter does with
// os.ReadFile, whose answers memtree.go gives. test/gitops/render-module/render-native-commands.test.ts holds it to
// the FileImporter in WebAssembly.

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/google/go-jsonnet"
)

type memImporter struct {
	m      *memFS
	jpaths []string
	cache  map[string]*memImport
}

type memImport struct {
	contents jsonnet.Contents
	exists   bool
}

func (i *memImporter) tryPath(dir, importedPath string) (bool, jsonnet.Contents, string, error) {
	absPath := importedPath
	if !filepath.IsAbs(importedPath) {
		absPath = filepath.Join(dir, importedPath)
	}
	entry, cached := i.cache[absPath]
	if !cached {
		data, err := i.m.readFile(absPath)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			entry = &memImport{}
		case err != nil:
			return false, jsonnet.Contents{}, "", err
		default:
			entry = &memImport{contents: jsonnet.MakeContentsRaw(data), exists: true}
		}
		i.cache[absPath] = entry
	}
	return entry.exists, entry.contents, absPath, nil
}

func (i *memImporter) Import(importedFrom, importedPath string) (jsonnet.Contents, string, error) {
	dir, _ := filepath.Split(importedFrom)
	found, content, foundHere, err := i.tryPath(dir, importedPath)
	for j := len(i.jpaths) - 1; err == nil && !found && j >= 0; j-- {
		found, content, foundHere, err = i.tryPath(i.jpaths[j], importedPath)
	}
	switch {
	case err != nil:
		return jsonnet.Contents{}, "", err
	case !found:
		return jsonnet.Contents{}, "", fmt.Errorf("couldn't open import %#v: no match locally or in the Jsonnet library paths", importedPath)
	}
	return content, foundHere, nil
}
