package main

// `helm template` as Helm 4's own command runs it (pkg/cmd/template.go, runInstall, action.Install.RunWithContext and
// Configuration.renderResources in client-only dry-run mode), step for step from Helm's packages. Helm's action
// package itself cannot be compiled to WebAssembly (its Kubernetes client needs a terminal and signals), so its
// client-only path is spelled out here; the differential test (test/gitops/render-module/render-module.test.ts) holds it to the
// native `helm template` of the same version.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	ci "helm.sh/helm/v4/pkg/chart"
	"helm.sh/helm/v4/pkg/chart/common"
	"helm.sh/helm/v4/pkg/chart/common/util"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	chartutil "helm.sh/helm/v4/pkg/chart/v2/util"
	"helm.sh/helm/v4/pkg/engine"
	release "helm.sh/helm/v4/pkg/release/v1"
	releaseutil "helm.sh/helm/v4/pkg/release/v1/util"

	fluxpostrender "ameide.dev/render-module/fluxpostrender"
	"ameide.dev/render-module/fluxpostrender/postrenderer"
)

// HelmTemplate is `helm template` as data: what effects/helm.ts's HelmTemplateRequest gives it, field for field the
// flags Argo CD's repo-server and helm-controller give helm (the native oracle, test/support/native-render.ts, turns
// it into those flags for the helm binary).
type HelmTemplate struct {
	Release              string      `json:"release"`
	Chart                string      `json:"chart"`
	Namespace            string      `json:"namespace,omitempty"`
	KubeVersion          string      `json:"kubeVersion,omitempty"`
	APIVersions          []string    `json:"apiVersions,omitempty"`
	IncludeCrds          bool        `json:"includeCrds,omitempty"`
	SkipTests            bool        `json:"skipTests,omitempty"`
	SkipSchemaValidation bool        `json:"skipSchemaValidation,omitempty"`
	ValueFiles           []string    `json:"valueFiles,omitempty"`
	Set                  []Parameter `json:"set,omitempty"`
	SetString            []Parameter `json:"setString,omitempty"`
	SetFile              []Parameter `json:"setFile,omitempty"`
	// FluxPostRender is not helm's: a HelmRelease's post-renderers as helm-controller builds them, run where Helm
	// runs a post-renderer.
	FluxPostRender *fluxpostrender.Release `json:"fluxPostRender,omitempty"`
	// ChartKey is not helm's: set by the host only for a chart folder whose files cannot change while this thread
	// lives (a frozen revision's), it names them; the files the loader read there are kept under it (chart_files.go).
	ChartKey string `json:"chartKey,omitempty"`
}

// Parameter is one --set, --set-string or --set-file: Helm's strvals reads `name=value` as it reads the flag.
type Parameter struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// templateFlags are the request's flags as `helm template` holds them once parsed.
type templateFlags struct {
	namespace, kubeVersion             string
	apiVersions                        []string
	includeCrds, skipTests, skipSchema bool
	noHooks                            bool
	values                             valueOptions
}

func flagsOf(r *HelmTemplate) (*templateFlags, error) {
	f := templateFlags{
		namespace:   r.Namespace,
		kubeVersion: r.KubeVersion,
		includeCrds: r.IncludeCrds,
		skipTests:   r.SkipTests,
		skipSchema:  r.SkipSchemaValidation,
		values: valueOptions{
			Values:       assignments(r.Set),
			StringValues: assignments(r.SetString),
			FileValues:   assignments(r.SetFile),
		},
	}
	var err error
	// --values and --api-versions are string slices: helm splits each value at its commas (pflag's CSV reading).
	if f.values.ValueFiles, err = asStringSlice("values", r.ValueFiles); err != nil {
		return nil, err
	}
	if f.apiVersions, err = asStringSlice("api-versions", r.APIVersions); err != nil {
		return nil, err
	}
	if f.namespace == "" {
		f.namespace = "default" // cli.EnvSettings.Namespace() with no kube context
	}
	return &f, nil
}

func assignments(ps []Parameter) []string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		out = append(out, p.Name+"="+p.Value)
	}
	return out
}

// asStringSlice: the values as pflag's string-slice flag holds them, given one by one.
func asStringSlice(name string, values []string) ([]string, error) {
	set := pflag.NewFlagSet(name, pflag.ContinueOnError)
	out := set.StringSlice(name, nil, "")
	for _, v := range values {
		if err := set.Set(name, v); err != nil {
			return nil, usage(fmt.Errorf("invalid argument %q for \"--%s\" flag: %w", v, name, err))
		}
	}
	return *out, nil
}

func helmTemplate(r *HelmTemplate, stdout io.Writer) error {
	f, err := flagsOf(r)
	if err != nil {
		return err
	}
	caps, err := capabilities(f)
	if err != nil {
		return err
	}
	vals, err := f.values.MergeValues()
	if err != nil {
		return err
	}
	return templateWith(r, f, caps, vals, stdout)
}

// templateWith is helmTemplate once the values are merged.
func templateWith(r *HelmTemplate, f *templateFlags, caps *common.Capabilities, vals map[string]any, stdout io.Writer) error {
	name, chartPath := r.Release, r.Chart
	ch, err := loadInstallable(chartPath, r.ChartKey)
	if err != nil {
		return err
	}
	var pr postrenderer.PostRenderer
	if r.FluxPostRender != nil {
		pr = fluxpostrender.BuildPostRenderers(r.FluxPostRender)
	}
	rel, err := install(ch, vals, name, f.namespace, caps, f, pr)
	if err != nil {
		if rel != nil {
			return fmt.Errorf("%w\n\nUse --debug flag to render out invalid YAML", err)
		}
		return err
	}
	if f.noHooks {
		rel.Hooks = nil // helm template --no-hooks prints no hook
	}
	return printRelease(stdout, rel, f.skipTests)
}

// capabilities: Helm's defaults, then --kube-version and --api-versions (action.Install in client-only mode).
func capabilities(f *templateFlags) (*common.Capabilities, error) {
	caps := common.DefaultCapabilities.Copy()
	if f.kubeVersion != "" {
		kv, err := common.ParseKubeVersion(f.kubeVersion)
		if err != nil {
			return nil, fmt.Errorf("invalid kube version '%s': %s", f.kubeVersion, err)
		}
		caps.KubeVersion = *kv
	}
	caps.APIVersions = append(caps.APIVersions, common.VersionSet(f.apiVersions)...)
	return caps, nil
}

// loadInstallable: runInstall's chart checks — loaded, an application chart, its dependencies present.
func loadInstallable(chartPath, key string) (*chart.Chart, error) {
	ch, err := loadChart(chartPath, key)
	if err != nil {
		return nil, err
	}
	ac, err := ci.NewAccessor(ch)
	if err != nil {
		return nil, err
	}
	switch t := ac.MetadataAsMap()["Type"]; t {
	case "", "application":
	default:
		return nil, fmt.Errorf("%s charts are not installable", t)
	}
	if ac.Deprecated() {
		slog.Warn("this chart is deprecated")
	}
	if req := ac.MetaDependencies(); len(req) > 0 {
		if err := checkDependencies(ch, req); err != nil {
			return nil, fmt.Errorf("an error occurred while checking for chart dependencies. You may need to run `helm dependency build` to fetch missing dependencies: %w", err)
		}
	}
	return ch, nil
}

// checkDependencies is action.CheckDependencies.
func checkDependencies(ch ci.Charter, reqs []ci.Dependency) error {
	ac, err := ci.NewAccessor(ch)
	if err != nil {
		return err
	}
	var missing []string
OUTER:
	for _, r := range reqs {
		rac, err := ci.NewDependencyAccessor(r)
		if err != nil {
			return err
		}
		for _, d := range ac.Dependencies() {
			dac, err := ci.NewAccessor(d)
			if err != nil {
				return err
			}
			if dac.Name() == rac.Name() {
				continue OUTER
			}
		}
		missing = append(missing, rac.Name())
	}
	if len(missing) > 0 {
		return errMissingDependency{missing}
	}
	return nil
}

// errMissingDependency is Helm's "missing in charts/" error, told to the host by its code ("missing-dependency").
type errMissingDependency struct{ names []string }

func (e errMissingDependency) Error() string {
	return "found in Chart.yaml, but missing in charts/ directory: " + strings.Join(e.names, ", ")
}

// renderValues is util.ToRenderValuesWithSchemaValidation, its schema check taken apart (Helm's steps and words)
// so that a rejection is told by its type: errValuesSchema.
func renderValues(ch *chart.Chart, vals map[string]any, options common.ReleaseOptions, caps *common.Capabilities, skipSchema bool) (common.Values, error) {
	toRender, err := util.ToRenderValuesWithSchemaValidation(ch, vals, options, caps, true)
	if err != nil || skipSchema {
		return toRender, err
	}
	var coalesced map[string]any
	switch v := toRender["Values"].(type) {
	case common.Values:
		coalesced = v
	case map[string]any:
		coalesced = v
	}
	if err := util.ValidateAgainstSchema(ch, coalesced); err != nil {
		return nil, errValuesSchema{fmt.Errorf("values don't meet the specifications of the schema(s) in the following chart(s):\n%w", err)}
	}
	return toRender, nil
}

// errValuesSchema is a chart's values.schema.json rejecting the values (Response.Error's "values-schema").
type errValuesSchema struct{ err error }

func (e errValuesSchema) Error() string { return e.err.Error() }
func (e errValuesSchema) Unwrap() error { return e.err }

// install is action.Install.RunWithContext with DryRunClient, Replace and ClientOnly: the release, never a cluster.
func install(ch *chart.Chart, vals map[string]any, name, namespace string, caps *common.Capabilities, f *templateFlags, pr postrenderer.PostRenderer) (*release.Release, error) {
	if err := chartutil.ValidateReleaseName(name); err != nil {
		return nil, fmt.Errorf("release name check failed: %w", fmt.Errorf("release name %q: %w", name, err))
	}
	if err := chartutil.ProcessDependencies(ch, vals); err != nil {
		return nil, fmt.Errorf("chart dependencies processing failed: %w", err)
	}
	options := common.ReleaseOptions{Name: name, Namespace: namespace, Revision: 1, IsInstall: true}
	toRender, err := renderValues(ch, vals, options, caps, f.skipSchema)
	if err != nil {
		return nil, err
	}
	rel := &release.Release{Name: name, Namespace: namespace, Chart: ch, Config: vals, Version: 1, Info: &release.Info{}}
	hooks, manifest, notes, err := renderResources(ch, toRender, caps, f.includeCrds, pr)
	rel.Hooks, rel.Info.Notes = hooks, notes
	if manifest != nil {
		rel.Manifest = manifest.String()
	}
	return rel, err
}

const notesFileSuffix = "NOTES.txt"

// renderResources is Configuration.renderResources without a cluster or output folder.
func renderResources(ch *chart.Chart, vals common.Values, caps *common.Capabilities, includeCrds bool, pr postrenderer.PostRenderer) ([]*release.Hook, *bytes.Buffer, string, error) {
	b := bytes.NewBuffer(nil)
	if ch.Metadata.KubeVersion != "" && !chartutil.IsCompatibleRange(ch.Metadata.KubeVersion, caps.KubeVersion.String()) {
		return nil, b, "", fmt.Errorf("chart requires kubeVersion: %s which is incompatible with Kubernetes %s", ch.Metadata.KubeVersion, caps.KubeVersion.Version)
	}
	var e engine.Engine
	files, err := e.Render(ch, vals)
	if err != nil {
		return nil, b, "", errRender{err}
	}
	if err := checkRendered(files); err != nil {
		return nil, b, "", err
	}
	notes := takeNotes(ch, files)
	if pr != nil {
		if files, err = postRender(files, pr); err != nil {
			return nil, b, notes, err
		}
	}
	hooks, manifests, err := releaseutil.SortManifests(files, nil, releaseutil.InstallOrder)
	if err != nil {
		for name, content := range files {
			if strings.TrimSpace(content) != "" {
				fmt.Fprintf(b, "---\n# Source: %s\n%s\n", name, content)
			}
		}
		return hooks, b, "", err
	}
	if includeCrds {
		for _, crd := range ch.CRDObjects() {
			fmt.Fprintf(b, "---\n# Source: %s\n%s\n", crd.Filename, string(crd.File.Data[:]))
		}
	}
	for _, m := range manifests {
		fmt.Fprintf(b, "---\n# Source: %s\n%s\n", m.Name, m.Content)
	}
	return hooks, b, notes, nil
}

// takeNotes pulls the top chart's NOTES.txt out of the rendered files (subcharts' notes are dropped, as --render-subchart-notes is never passed).
func takeNotes(ch *chart.Chart, files map[string]string) string {
	var notes bytes.Buffer
	for k, v := range files {
		if strings.HasSuffix(k, notesFileSuffix) {
			if k == path.Join(ch.Name(), "templates", notesFileSuffix) {
				if notes.Len() > 0 {
					notes.WriteString("\n")
				}
				notes.WriteString(v)
			}
			delete(files, k)
		}
	}
	return notes.String()
}

// printRelease is the template command's output: the manifest, then each hook (test hooks dropped with --skip-tests).
func printRelease(out io.Writer, rel *release.Release, skipTests bool) error {
	var manifests bytes.Buffer
	fmt.Fprintln(&manifests, strings.TrimSpace(rel.Manifest))
	for _, m := range rel.Hooks {
		if skipTests && slices.Contains(m.Events, release.HookTest) {
			continue
		}
		fmt.Fprintf(&manifests, "---\n# Source: %s\n%s\n", m.Path, m.Manifest)
	}
	_, err := fmt.Fprintf(out, "%s", manifests.String())
	if errors.Is(err, errOutputLimit) {
		return err
	}
	return err
}
