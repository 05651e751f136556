package main

// `helm dependency build` for a chart whose dependencies are all file:// folders of the revision (effects/helm.ts
// rewrites them to absolute paths in a copy first): what Helm's downloader.Manager does for each of them
// (tarFromLocalDir: the folder loaded, its version checked against the constraint, saved as an archive under
// charts/; in the native helper through hooks.go into its memory, the archive by chartutil.WriteArchive). Helm's
// downloader itself cannot be compiled to WebAssembly (it reaches the Kubernetes client); a
// dependency from a chart repository is an error here, never fetched.

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/Masterminds/semver/v3"
)

func helmDependencyBuild(args []string, out io.Writer) error {
	chartPath := "."
	if len(args) > 1 {
		return usage(fmt.Errorf("expected at most one chart, got %q", args))
	}
	if len(args) == 1 {
		chartPath = filepath.Clean(args[0])
	}
	ch, err := loadChartDir(chartPath)
	if err != nil {
		return err
	}
	dest := filepath.Join(chartPath, "charts")
	if err := mkdirAll(dest); err != nil {
		return err
	}
	for _, dep := range ch.Metadata.Dependencies {
		if !strings.HasPrefix(dep.Repository, "file://") {
			return fmt.Errorf("dependency %s comes from %s: only file:// dependencies are built", dep.Name, dep.Repository)
		}
		version, err := tarFromLocalDir(chartPath, dep.Name, dep.Repository, dep.Version, dest)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "Saving %s %s from %s\n", dep.Name, version, dep.Repository)
	}
	return nil
}

// tarFromLocalDir is the downloader's, with resolver.GetLocalPath's resolution of the file:// path.
func tarFromLocalDir(chartPath, name, repo, version, destPath string) (string, error) {
	origPath := strings.TrimPrefix(repo, "file://")
	if !filepath.IsAbs(origPath) {
		origPath = filepath.Join(chartPath, origPath)
	}
	if !exists(origPath) {
		return "", fmt.Errorf("directory %s not found", origPath)
	}
	ch, err := loadChartDir(origPath)
	if err != nil {
		return "", err
	}
	constraint, err := semver.NewConstraint(version)
	if err != nil {
		return "", fmt.Errorf("dependency %s has an invalid version/constraint format: %w", name, err)
	}
	v, err := semver.NewVersion(ch.Metadata.Version)
	if err != nil {
		return "", err
	}
	if constraint.Check(v) {
		_, err = saveChart(ch, destPath)
		return ch.Metadata.Version, err
	}
	return "", fmt.Errorf("can't get a valid version for dependency %s", name)
}
