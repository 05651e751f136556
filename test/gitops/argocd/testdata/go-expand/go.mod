// The differential reference of src/gitops/model/source-helpers.ts goExpand/envsubst (main.go): Go's os.Expand,
// which Argo CD's Env.Envsubst (pkg/apis/application/v1alpha1) calls.
module ameide.dev/go-expand

go 1.26.0
