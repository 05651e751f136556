// The ApplicationSet template engine's Go libraries: the four Argo CD v3.5.1's go.mod pins for applicationset/utils
// (sprig/v3 v3.3.0, gosimple/slug v1.15.0, valyala/fasttemplate v1.2.2, sigs.k8s.io/yaml v1.6.0). It is built in the
// workspace ../../go.work with the render module, so a library both use is one version: semver, goutils, xstrings,
// copystructure, reflectwalk, decimal, unidecode and bytebufferpool are Argo CD's too; mergo v1.0.1, cast v1.7.0,
// uuid v1.6.0 and x/crypto v0.47.0 are Helm's (Argo CD: v1.0.2, v1.7.1, a later uuid, v0.53.0), none of which changes
// a sprig function (mergo's v1.0.2 changes no code; cast's v1.7.1 changes only ToUint64E, which sprig does not call).
module ameide.dev/gotemplate

go 1.24.5

require (
	github.com/Masterminds/sprig/v3 v3.3.0
	github.com/gosimple/slug v1.15.0
	github.com/valyala/fasttemplate v1.2.2
	sigs.k8s.io/yaml v1.6.0
)

require (
	dario.cat/mergo v1.0.1 // indirect
	github.com/Masterminds/goutils v1.1.1 // indirect
	github.com/Masterminds/semver/v3 v3.4.0 // indirect
	github.com/davecgh/go-spew v1.1.2-0.20180830191138-d8f796af33cc // indirect
	github.com/google/go-cmp v0.7.0 // indirect
	github.com/google/uuid v1.6.0 // indirect
	github.com/gosimple/unidecode v1.0.1 // indirect
	github.com/huandu/xstrings v1.5.0 // indirect
	github.com/mitchellh/copystructure v1.2.0 // indirect
	github.com/mitchellh/reflectwalk v1.0.2 // indirect
	github.com/pmezard/go-difflib v1.0.1-0.20181226105442-5d4384ee4fb2 // indirect
	github.com/rogpeppe/go-internal v1.14.1 // indirect
	github.com/shopspring/decimal v1.4.0 // indirect
	github.com/spf13/cast v1.7.0 // indirect
	github.com/stretchr/testify v1.11.1 // indirect
	github.com/valyala/bytebufferpool v1.0.0 // indirect
	go.yaml.in/yaml/v2 v2.4.3 // indirect
	go.yaml.in/yaml/v3 v3.0.4 // indirect
	golang.org/x/crypto v0.47.0 // indirect
	gopkg.in/check.v1 v1.0.0-20201130134442-10cb98267c6c // indirect
)
