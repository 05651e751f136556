package main

// `kustomize build` through kustomize's own build command (sigs.k8s.io/kustomize/kustomize/v5/commands/build), on
// the file system Go's os package sees: the host's in-memory revision. No plugin can run: the module has no process
// to exec, no container runtime and no network, whatever flag a caller passes.

import (
	"io"

	"github.com/spf13/cobra"

	"sigs.k8s.io/kustomize/api/konfig"
	"sigs.k8s.io/kustomize/kustomize/v5/commands/build"
)

// KustomizeBuild is `kustomize build` as data: the kustomization's folder, and whether files outside it may be read
// (Argo CD's and kustomize-controller's LoadRestrictionsNone).
type KustomizeBuild struct {
	Dir                  string `json:"dir"`
	LoadRestrictionsNone bool   `json:"loadRestrictionsNone,omitempty"`
	// EnableHelm is --enable-helm (Argo CD's kustomize.buildOptions): helmCharts inflated by the Helm this module
	// links (helm_kustomize.go), from charts in the request's tree only.
	EnableHelm bool `json:"enableHelm,omitempty"`
	// HelmKubeVersion and HelmAPIVersions are --helm-kube-version and each --helm-api-versions (what Argo CD adds
	// with --enable-helm: the Application's, else the destination cluster's).
	HelmKubeVersion string   `json:"helmKubeVersion,omitempty"`
	HelmAPIVersions []string `json:"helmApiVersions,omitempty"`
}

// kustomizeBuild runs kustomize's own build command, its flags set from the request: kustomize's defaults for the
// rest, as the controllers leave them.
func kustomizeBuild(r *KustomizeBuild, stdout, logged io.Writer) error {
	cmd := build.NewCmdBuild(kustomizeFS(), build.MakeHelp(konfig.ProgramName, "build"), stdout)
	build.AddFunctionAlphaEnablementFlags(cmd.Flags())
	args := []string{r.Dir}
	if r.LoadRestrictionsNone {
		args = append(args, "--load-restrictor", "LoadRestrictionsNone")
	}
	if r.EnableHelm {
		args = append(args, "--enable-helm")
		if r.HelmKubeVersion != "" {
			args = append(args, "--helm-kube-version", r.HelmKubeVersion)
		}
		for _, v := range r.HelmAPIVersions {
			args = append(args, "--helm-api-versions", v)
		}
	}
	return execute(cmd, args, stdout, logged)
}

// execute runs one of kustomize's cobra commands with `args`, its output to the request's stdout, what it tells on
// stderr to the answer's warnings.
func execute(cmd *cobra.Command, args []string, stdout, logged io.Writer) error {
	cmd.SetArgs(args)
	cmd.SetOut(stdout)
	cmd.SetErr(logged)
	cmd.SilenceUsage = true
	cmd.SilenceErrors = true
	return cmd.Execute()
}
