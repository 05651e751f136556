package main

// `flux artifact`: a GitRepository's artifact made of the revision (./fluxartifact).

import "ameide.dev/render-module/fluxartifact"

// fluxArtifactSpec is the one JSON argument of `flux artifact`: the checkout and the GitRepository's fields.
type fluxArtifactSpec struct {
	// Dir is the revision's folder (absolute, in the module's file system): the clone's working tree.
	Dir string `json:"dir"`
	// Ignore is spec.ignore (nil: not set).
	Ignore *string `json:"ignore"`
	// SparseCheckout is spec.sparseCheckout (nil or empty: the whole tree).
	SparseCheckout []string `json:"sparseCheckout"`
}

func fluxArtifact(args []string) error {
	var spec fluxArtifactSpec
	if err := jsonArgument("flux artifact", args, &spec); err != nil {
		return err
	}
	return fluxartifact.Make(artifactFiles(), spec.Dir, spec.Ignore, spec.SparseCheckout)
}
