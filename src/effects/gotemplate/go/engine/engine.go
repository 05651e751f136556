// Package engine is the ApplicationSet template engine: Argo CD's Render.Replace over Go's own text/template and
// sprig, compiled to WebAssembly for the CLI (../main_js.go), natively for the differential test (../main_native.go),
// and linked into the native render helper (render-module/go/main_helper.go), which answers its requests confined.
//
// It follows argo-cd v3 applicationset/utils (utils.go, template_functions.go): one function map built once —
// sprig.GenericFuncMap() less env, expandenv and getHostByName, plus normalize, slugify, toYaml, fromYaml and
// fromYamlArray — cloned per template string, the goTemplateOptions applied, parsed once and executed for every
// parameter set; fasttemplate mode as Replace writes it. YAML is read with sigs.k8s.io/yaml, as Argo CD reads the
// ApplicationSet, elementsYaml and the git files generator's files.
package engine

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"regexp"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig/v3"
	"github.com/gosimple/slug"
	"github.com/valyala/fasttemplate"
	"sigs.k8s.io/yaml"
)

var baseTemplate *template.Template

func init() {
	funcs := sprig.GenericFuncMap()
	delete(funcs, "env")
	delete(funcs, "expandenv")
	delete(funcs, "getHostByName")
	funcs["normalize"] = sanitizeName
	funcs["slugify"] = slugifyName
	funcs["toYaml"] = toYAML
	funcs["fromYaml"] = fromYAML
	funcs["fromYamlArray"] = fromYAMLArray
	baseTemplate = template.New("base").Funcs(funcs)
}

// Request is one call: an operation and its inputs (JSON).
type Request struct {
	Op string `json:"op"`
	// render
	GoTemplate bool             `json:"goTemplate"`
	Options    []string         `json:"options"`
	Templates  []string         `json:"templates"`
	Params     []map[string]any `json:"params"`
	// yaml, sanitize, paths
	Texts []string `json:"texts"`
	// sprint
	Values []any `json:"values"`
	// match
	Matches []MatchRequest `json:"matches"`
}

// MatchRequest is one regexp.MatchString call: a Go (RE2) pattern and the text it is matched against.
type MatchRequest struct {
	Pattern string `json:"pattern"`
	Text    string `json:"text"`
}

// MatchResult answers one MatchRequest: whether it matched, or why the pattern does not compile.
type MatchResult struct {
	Matched bool   `json:"matched"`
	Error   string `json:"error,omitempty"`
}

// Failure is one template string that did not render with one parameter set.
type Failure struct {
	Set      int    `json:"set"`
	Template int    `json:"template"`
	Message  string `json:"message"`
}

// YAMLResult is one YAML text as JSON, or why it is not.
type YAMLResult struct {
	JSON  string `json:"json,omitempty"`
	Error string `json:"error,omitempty"`
}

// Response answers a Request; Error is set when the request itself could not be served.
type Response struct {
	Results  [][]string    `json:"results,omitempty"`
	Failures []Failure     `json:"failures,omitempty"`
	YAML     []YAMLResult  `json:"yaml,omitempty"`
	Strings  []string      `json:"strings,omitempty"`
	Paths    [][3]string   `json:"paths,omitempty"`
	Matches  []MatchResult `json:"matches,omitempty"`
	Version  string        `json:"version,omitempty"`
	Error    string        `json:"error,omitempty"`
}

// Handle serves one JSON request; it never panics.
func Handle(input []byte) (out []byte) {
	var res Response
	defer func() {
		if r := recover(); r != nil {
			res = Response{Error: fmt.Sprintf("panic: %v", r)}
		}
		out, _ = json.Marshal(res)
	}()
	var req Request
	if err := json.Unmarshal(input, &req); err != nil {
		res.Error = "bad request: " + err.Error()
		return
	}
	switch req.Op {
	case "render":
		res.Results, res.Failures = render(req)
	case "yaml":
		for _, text := range req.Texts {
			res.YAML = append(res.YAML, yamlToJSON(text))
		}
	case "sanitize":
		res.Strings = mapStrings(req.Texts, sanitizeName)
	case "paths":
		for _, p := range req.Texts {
			res.Paths = append(res.Paths, [3]string{path.Dir(p), path.Base(p), sanitizeName(path.Base(p))})
		}
	case "slug":
		res.Strings = mapStrings(req.Texts, pullRequestSlug)
	case "match":
		for _, m := range req.Matches {
			matched, err := regexp.MatchString(m.Pattern, m.Text)
			if err != nil {
				res.Matches = append(res.Matches, MatchResult{Error: err.Error()})
			} else {
				res.Matches = append(res.Matches, MatchResult{Matched: matched})
			}
		}
	case "sprint":
		for _, v := range req.Values {
			res.Strings = append(res.Strings, fmt.Sprintf("%v", v))
		}
	case "version":
		res.Version = Version
	case "warm":
		warm()
	case "warm-slug":
		pullRequestSlug("warm")
	default:
		res.Error = "unknown op " + req.Op
	}
	return
}

// warm runs what most ApplicationSets run once, so that the first real request does not pay for it: the
// WebAssembly functions of text/template, fmt and sprig compiled on first call. Not slugify: its transliteration
// table costs ≈ 0.3 s to decode, paid only by an ApplicationSet that slugifies.
func warm() {
	req := Request{GoTemplate: true, Templates: []string{
		`{{ .a | lower | upper }}{{ printf "%s-%d-%v" .a 1 .n }}{{ index .l 0 }}{{ if eq .a "x" }}{{ end }}`,
		`{{ default "x" .b }}{{ normalize .a }}{{ toYaml .m }}{{ trunc 3 .a }}{{ replace "a" "b" .a }}`,
	}, Params: []map[string]any{{"a": "Ünï_x", "n": 1.5, "l": []any{"y"}, "m": map[string]any{"k": 1.0}}}}
	render(req)
}

func mapStrings(in []string, f func(string) string) []string {
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = f(s)
	}
	return out
}

// render: every template string parsed once (as Replace parses it), executed with every parameter set.
func render(req Request) ([][]string, []Failure) {
	results := make([][]string, len(req.Params))
	for i := range results {
		results[i] = make([]string, len(req.Templates))
	}
	var failures []Failure
	fail := func(set, tmpl int, err error) {
		failures = append(failures, Failure{Set: set, Template: tmpl, Message: err.Error()})
	}
	for t, text := range req.Templates {
		if !req.GoTemplate {
			for s, params := range req.Params {
				out, err := fastReplace(text, params)
				if err != nil {
					fail(s, t, err)
				}
				results[s][t] = out
			}
			continue
		}
		parsed, err := parse(text, req.Options)
		if err != nil {
			for s := range req.Params {
				fail(s, t, err)
			}
			continue
		}
		for s, params := range req.Params {
			out, err := execute(parsed, text, params)
			if err != nil {
				fail(s, t, err)
			}
			results[s][t] = out
		}
	}
	return results, failures
}

// parse: Replace's clone of the base template, each option applied (an unknown one panics in Go: an error here).
func parse(text string, options []string) (parsed *template.Template, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	cloned, err := baseTemplate.Clone()
	if err != nil {
		return nil, fmt.Errorf("failed to clone base template: %w", err)
	}
	for _, option := range options {
		cloned = cloned.Option(option)
	}
	parsed, err = cloned.Parse(text)
	if err != nil {
		return nil, fmt.Errorf("failed to parse template %s: %w", text, err)
	}
	return parsed, nil
}

func execute(parsed *template.Template, text string, params map[string]any) (out string, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("failed to execute go template %s: %v", text, r)
		}
	}()
	var buf bytes.Buffer
	if err := parsed.Execute(&limitedWriter{w: &buf, left: maxOutput}, params); err != nil {
		return "", fmt.Errorf("failed to execute go template %s: %w", text, err)
	}
	return buf.String(), nil
}

// maxOutput bounds one execution's output: etcd stores no object over 1.5 MiB, so no field of an Application Argo CD
// could create is longer; a runaway range fails here instead of exhausting memory.
const maxOutput = 3 << 19

type limitedWriter struct {
	w    io.Writer
	left int
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	if len(p) > l.left {
		return 0, fmt.Errorf("the output is larger than %d bytes", maxOutput)
	}
	l.left -= len(p)
	return l.w.Write(p)
}

var isTemplated = regexp.MustCompile(".*{{.*}}.*")

// fastReplace is Replace with useGoTemplate false.
func fastReplace(text string, params map[string]any) (string, error) {
	if !isTemplated.MatchString(text) {
		return text, nil
	}
	tmpl, err := fasttemplate.NewTemplate(text, "{{", "}}")
	if err != nil {
		return "", fmt.Errorf("invalid template: %w", err)
	}
	return tmpl.ExecuteFuncString(func(w io.Writer, tag string) (int, error) {
		trimmed := strings.TrimSpace(tag)
		replacement, ok := params[trimmed].(string)
		if trimmed == "" || !ok {
			return fmt.Fprintf(w, "{{%s}}", tag)
		}
		return w.Write([]byte(replacement))
	}), nil
}

func yamlToJSON(text string) YAMLResult {
	out, err := yaml.YAMLToJSON([]byte(text))
	if err != nil {
		return YAMLResult{Error: err.Error()}
	}
	return YAMLResult{JSON: string(out)}
}

// invalidDNSNameChars is SanitizeName's pattern, compiled once here (Argo CD compiles it per call: the same result).
var invalidDNSNameChars = regexp.MustCompile("[^-a-z0-9.]")

// sanitizeName is Argo CD's SanitizeName (the `normalize` function and the *Normalized path parameters).
func sanitizeName(name string) string {
	name = strings.ToLower(name)
	name = invalidDNSNameChars.ReplaceAllString(name, "-")
	if len(name) > 253 {
		name = name[:253]
	}
	return strings.Trim(name, "-.")
}

// slugifyName is Argo CD's SlugifyName: optional maxSize int and smartTruncate bool before the name; a wrong type
// panics, which text/template reports as the call's error.
func slugifyName(args ...any) string {
	maxSize := 50
	smartTruncate := true
	name := ""
	for i, arg := range args {
		switch i {
		case len(args) - 1:
			name = arg.(string)
		case 0:
			maxSize = arg.(int)
		case 1:
			smartTruncate = arg.(bool)
		}
	}
	slug.EnableSmartTruncate = smartTruncate
	slug.MaxLength = maxSize
	return slug.Make(sanitizeName(name))
}

// pullRequestSlug is slug.Make as Argo CD's pull-request generator calls it for branch_slug and target_branch_slug
// (applicationset/generators/pull_request.go: slug.MaxLength = 50, slug.CustomSub = {"_": "-"}). Smart truncation is
// the library's default: the generator leaves it as it finds it (a controller that ran slugify with smartTruncate
// false keeps that, history no single evaluation can know). The settings are package globals: put back after.
func pullRequestSlug(name string) string {
	maxLength, customSub, smartTruncate := slug.MaxLength, slug.CustomSub, slug.EnableSmartTruncate
	defer func() { slug.MaxLength, slug.CustomSub, slug.EnableSmartTruncate = maxLength, customSub, smartTruncate }()
	slug.MaxLength = 50
	slug.CustomSub = map[string]string{"_": "-"}
	slug.EnableSmartTruncate = true
	return slug.Make(name)
}

func toYAML(v any) (string, error) {
	data, err := yaml.Marshal(v)
	if err != nil {
		return "", err
	}
	return strings.TrimSuffix(string(data), "\n"), nil
}

func fromYAML(str string) (map[string]any, error) {
	m := map[string]any{}
	if err := yaml.Unmarshal([]byte(str), &m); err != nil {
		return nil, err
	}
	return m, nil
}

func fromYAMLArray(str string) ([]any, error) {
	a := []any{}
	if err := yaml.Unmarshal([]byte(str), &a); err != nil {
		return nil, err
	}
	return a, nil
}
