// Package fluxartifact is what source-controller puts in a GitRepository's artifact, made of the revision in the
// render module's file system before kustomize-controller's generator and build run over it (fluxcd/source-controller
// v1.9.1, internal/controller/gitrepository_controller.go):
//   - spec.sparseCheckout: the clone checks out only the index entries whose path starts with one of the listed
//     directories (`./` trimmed) — go-git v5.19.1's Index.SkipUnless (skipUnless below), where fluxcd/pkg/git's gogit
//     client hands the list — and each listed path must then exist in the checkout (validateSparseCheckoutPaths);
//   - reconcileArtifact: the ignore patterns of every `.sourceignore` of the checkout (fluxcd/pkg/sourceignore
//     v0.18.0 LoadIgnorePatterns, each file's patterns scoped to its folder) and spec.ignore's after them, matched
//     as fluxcd/pkg/artifact v0.18.1's SourceIgnoreFilter matches them (with no pattern: the VCS, extension, CI and
//     extra defaults; with any: only the VCS ones and the patterns), over the walk of Storage.Archive, which also
//     leaves out what is neither a regular file nor a folder (links).
//
// What the artifact leaves out is removed here, in `files` (files.go: the operating system's, or the native render
// helper's memory); nothing else changes. test/gitops/flux/sources/flux-git-artifact.test.ts holds it
// to source-controller's own libraries run natively (testdata/flux-artifact).
package fluxartifact

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/fluxcd/pkg/sourceignore"
	"github.com/fluxcd/pkg/sourceignore/gitignore"
)

// Make leaves in `dir` (the clone's working tree) what the artifact of a GitRepository with `ignore` (spec.ignore,
// nil when not set) and `sparse` (spec.sparseCheckout) holds.
func Make(files Files, dir string, ignore *string, sparse []string) error {
	dir = filepath.Clean(dir)
	if len(sparse) > 0 {
		if err := sparseCheckout(files, dir, sparse); err != nil {
			return fmt.Errorf("failed to sparse checkout directories : %w", err)
		}
	}
	ignoreDomain := strings.Split(dir, string(filepath.Separator))
	ps, err := loadIgnorePatterns(files, dir, ignoreDomain)
	if err != nil {
		return fmt.Errorf("failed to load source ignore patterns from repository: %w", err)
	}
	if ignore != nil {
		ps = append(ps, sourceignore.ReadPatterns(strings.NewReader(*ignore), ignoreDomain)...)
	}
	return removeUnarchived(files, dir, sourceIgnoreFilter(ps, ignoreDomain))
}

// sparseCheckout leaves in `dir` the files a sparse clone of `dirs` checks out, then validates the listed paths.
func sparseCheckout(files Files, dir string, dirs []string) error {
	trimmed := make([]string, len(dirs))
	for i, d := range dirs {
		trimmed[i] = strings.TrimPrefix(d, "./")
	}
	if err := removeWalked(files, dir, func(p string, fi os.FileInfo) (bool, error) {
		if fi.IsDir() {
			return false, nil
		}
		rel, err := filepath.Rel(dir, p)
		return err == nil && skipUnless(filepath.ToSlash(rel), trimmed), err
	}); err != nil {
		return err
	}
	pruneEmpty(files, dir)
	for _, d := range dirs {
		// validateSparseCheckoutPaths: securejoin keeps the path inside the checkout.
		full := filepath.Join(dir, filepath.Clean("/"+d))
		if _, err := files.Lstat(full); err != nil {
			return fmt.Errorf("sparse checkout dir '%s' does not exist in repository: %w", d, err)
		}
	}
	return nil
}

// skipUnless is go-git v5.19.1's Index.SkipUnless for one index entry (plumbing/format/index/index.go; go-git's
// module would move golang.org/x/crypto, x/net and x/sys under Helm): the entry is skipped (not checked out) unless
// its name starts with one of the patterns, as a string — `apps` keeps `apps/…` and `apps-old/…` alike, and a file
// at the top only when a pattern is its prefix.
func skipUnless(name string, patterns []string) bool {
	for _, pattern := range patterns {
		if strings.HasPrefix(name, pattern) {
			return false
		}
	}
	return true
}

// pruneEmpty removes the folders a checkout would not create: those left with no file under them.
func pruneEmpty(files Files, dir string) bool {
	entries, err := files.ReadDir(dir)
	if err != nil {
		return false
	}
	empty := true
	for _, e := range entries {
		if e.IsDir() && pruneEmpty(files, filepath.Join(dir, e.Name())) {
			_ = files.Remove(filepath.Join(dir, e.Name()))
			continue
		}
		empty = false
	}
	return empty
}

// sourceIgnoreFilter is fluxcd/pkg/artifact v0.18.1 storage.SourceIgnoreFilter (that module brings the Kubernetes
// API types for its Artifact; the function is these lines): true leaves the path out of the artifact.
func sourceIgnoreFilter(ps []gitignore.Pattern, domain []string) func(p string, fi os.FileInfo) bool {
	matcher := sourceignore.NewDefaultMatcher(ps, domain)
	if len(ps) > 0 {
		ps = append(sourceignore.VCSPatterns(domain), ps...)
		matcher = sourceignore.NewMatcher(ps)
	}
	return func(p string, fi os.FileInfo) bool {
		return matcher.Match(strings.Split(p, string(filepath.Separator)), fi.IsDir())
	}
}

// removeUnarchived walks `dir` as Storage.Archive does and removes what it would not archive: each file that is
// not regular (a link) or that the filter leaves out. A folder the filter leaves out is still walked (Archive does
// not skip it), so what is under it is judged on its own; it is there after extraction only when a file under it is.
func removeUnarchived(files Files, dir string, filter func(p string, fi os.FileInfo) bool) error {
	var folders []string
	if err := removeWalked(files, dir, func(p string, fi os.FileInfo) (bool, error) {
		if fi.IsDir() {
			if p != dir && filter(p, fi) {
				folders = append(folders, p)
			}
			return false, nil
		}
		return !fi.Mode().IsRegular() || filter(p, fi), nil
	}); err != nil {
		return err
	}
	// Deepest first; a folder that still holds something stays.
	for i := len(folders) - 1; i >= 0; i-- {
		pruneEmpty(files, folders[i])
		if entries, err := files.ReadDir(folders[i]); err == nil && len(entries) == 0 {
			_ = files.Remove(folders[i])
		}
	}
	return nil
}

// removeWalked walks `dir` (filepath.Walk: lexical order, links not followed) and, once the walk is done, removes
// each path `drop` picks; `drop` sees the folders too, and its error ends the walk.
func removeWalked(files Files, dir string, drop func(p string, fi os.FileInfo) (bool, error)) error {
	var picked []string
	if err := files.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		gone, err := drop(p, fi)
		if gone {
			picked = append(picked, p)
		}
		return err
	}); err != nil {
		return err
	}
	for _, p := range picked {
		if err := files.Remove(p); err != nil {
			return err
		}
	}
	return nil
}
