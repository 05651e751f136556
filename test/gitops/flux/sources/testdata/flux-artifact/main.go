// The differential reference of a GitRepository's artifact (test/gitops/flux/sources/flux-git-artifact.test.ts): what
// fluxcd/source-controller v1.9.1 archives of a branch of a local repository, with its own libraries — go-git
// v5.19.1 cloning (a sparse checkout as fluxcd/pkg/git's gogit client asks for one: no checkout, then a checkout
// of the branch with the directories), fluxcd/pkg/sourceignore v0.18.0's patterns and fluxcd/pkg/artifact v0.18.1's
// SourceIgnoreFilter and Storage.Archive — then the archive read back. reconcileSource's check of the sparse paths
// (validateSparseCheckoutPaths) and reconcileArtifact's pattern loading are source-controller's internal package:
// their lines are reproduced below.
//
// Beside it, ameide's own (src/effects/render-module/go/fluxartifact, what the render module runs) over a copy of the
// same revision's files. Usage: flux-artifact <repository> <branch> <spec JSON: {"ignore": …, "sparseCheckout": […]}>
// <copy>. It prints {"controller": …, "ameide": …}, each the artifact's files (sorted) or {"error": …}.
package main

import (
	"archive/tar"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"ameide.dev/render-module/fluxartifact"
	securejoin "github.com/cyphar/filepath-securejoin"
	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/artifact/storage"
	"github.com/fluxcd/pkg/sourceignore"
	extgogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
)

type spec struct {
	Ignore         *string  `json:"ignore"`
	SparseCheckout []string `json:"sparseCheckout"`
}

func main() {
	answer := func(files []string, err error) any {
		if err != nil {
			return map[string]string{"error": err.Error()}
		}
		return files
	}
	_ = json.NewEncoder(os.Stdout).Encode(map[string]any{
		"controller": answer(run(os.Args[1], os.Args[2], os.Args[3])),
		"ameide":     answer(ameide(os.Args[3], os.Args[4])),
	})
}

// ameide is the render module's `flux artifact` over the copy, and the files left in it (links too: what a build
// could read).
func ameide(raw, dir string) ([]string, error) {
	var s spec
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return nil, err
	}
	if err := fluxartifact.Make(fluxartifact.OS{}, dir, s.Ignore, s.SparseCheckout); err != nil {
		return nil, err
	}
	files := []string{}
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		files = append(files, filepath.ToSlash(rel))
		return err
	})
	sort.Strings(files)
	return files, err
}

func run(repository, branch, raw string) ([]string, error) {
	var s spec
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "source-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	if err := clone(repository, branch, dir, s.SparseCheckout); err != nil {
		return nil, err
	}
	// validateSparseCheckoutPaths.
	for _, path := range s.SparseCheckout {
		fullPath, err := securejoin.SecureJoin(dir, path)
		if err != nil {
			return nil, fmt.Errorf("sparse checkout dir '%s' cannot be resolved: %w", path, err)
		}
		if _, err := os.Lstat(fullPath); err != nil {
			return nil, fmt.Errorf("sparse checkout dir '%s' does not exist in repository: %w", path, err)
		}
	}
	// reconcileArtifact.
	ignoreDomain := strings.Split(dir, string(filepath.Separator))
	ps, err := sourceignore.LoadIgnorePatterns(dir, ignoreDomain)
	if err != nil {
		return nil, err
	}
	if s.Ignore != nil {
		ps = append(ps, sourceignore.ReadPatterns(strings.NewReader(*s.Ignore), ignoreDomain)...)
	}
	base, err := os.MkdirTemp("", "storage-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(base)
	st := storage.Storage{BasePath: base}
	artifact := meta.Artifact{Path: "gitrepository/flux-system/apps/artifact.tar.gz"}
	if err := os.MkdirAll(filepath.Dir(st.LocalPath(artifact)), 0o755); err != nil {
		return nil, err
	}
	if err := st.Archive(&artifact, dir, storage.SourceIgnoreFilter(ps, ignoreDomain)); err != nil {
		return nil, err
	}
	return list(st.LocalPath(artifact))
}

// clone is gogit's clone of a branch: with sparse directories, no checkout, then the checkout (`./` trimmed, as
// source-controller hands them over).
func clone(repository, branch, dir string, sparse []string) error {
	ref := plumbing.NewBranchReferenceName(branch)
	repo, err := extgogit.PlainClone(dir, false, &extgogit.CloneOptions{
		URL:           "file://" + repository,
		RemoteName:    "origin",
		ReferenceName: ref,
		NoCheckout:    len(sparse) != 0,
		Tags:          extgogit.NoTags,
	})
	if err != nil {
		return err
	}
	if len(sparse) == 0 {
		return nil
	}
	dirs := make([]string, len(sparse))
	for i, p := range sparse {
		dirs[i] = strings.TrimPrefix(p, "./")
	}
	w, err := repo.Worktree()
	if err != nil {
		return err
	}
	return w.Checkout(&extgogit.CheckoutOptions{Branch: ref, SparseCheckoutDirectories: dirs})
}

// list is the artifact's regular files.
func list(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	tr := tar.NewReader(gz)
	files := []string{}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if h.Typeflag == tar.TypeReg {
			files = append(files, filepath.ToSlash(h.Name))
		}
	}
	sort.Strings(files)
	return files, nil
}
