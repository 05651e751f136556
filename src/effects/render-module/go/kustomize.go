package main

// `kustomize build` through kustomize's own build command (sigs.k8s.io/kustomize/kustomize/v5/commands/build), on
// the file system Go's os package sees: the host's in-memory revision. No plugin can run: the module has no process
// to exec, no container runtime and no network, whatever flag a caller passes.

import (
	"io"

	"github.com/spf13/cobra"

	"sigs.k8s.io/kustomize/api/konfig"
	"sigs.k8s.io/kustomize/kustomize/v5/commands/build"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

func kustomizeBuild(args []string, stdout, stderr io.Writer) error {
	cmd := build.NewCmdBuild(filesys.MakeFsOnDisk(), build.MakeHelp(konfig.ProgramName, "build"), stdout)
	build.AddFunctionAlphaEnablementFlags(cmd.Flags())
	return execute(cmd, args, stdout, stderr)
}

// execute runs one of kustomize's cobra commands with `args`, its output to the request's streams.
func execute(cmd *cobra.Command, args []string, stdout, stderr io.Writer) error {
	cmd.SetArgs(args)
	cmd.SetOut(stdout)
	cmd.SetErr(stderr)
	cmd.SilenceUsage = true
	cmd.SilenceErrors = true
	return cmd.Execute()
}
