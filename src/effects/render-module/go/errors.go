package main

// A failed command's error as the host reads it (Response.Error): its code, decided here from the error chain
// (errors.As), its message (err.Error(), the words the tool's CLI prints after "Error: "), and where the error
// names a place, the file and line. The host acts on the code, never on the text.

import (
	"errors"
	"strconv"
	"strings"
	"text/template"

	"github.com/google/go-jsonnet"
	"github.com/google/go-jsonnet/ast"
)

// ErrorInfo is Response.Error. Code is one of: missing-dependency, template, values-schema, yaml, jsonnet,
// unknown-variable, kustomize, substitute, usage, panic, error.
type ErrorInfo struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	// Variable is unknown-variable's variable (without its `$`).
	Variable string `json:"variable,omitempty"`
}

// coded is an error whose code the step that returned it knows; its words are the error's own.
type coded struct {
	code string
	err  error
}

func (c coded) Error() string { return c.err.Error() }
func (c coded) Unwrap() error { return c.err }

// withCode marks err (nil stays nil) with the code of the step it came from.
func withCode(code string, err error) error {
	if err == nil {
		return nil
	}
	return coded{code, err}
}

// errYAML is a YAML file that does not parse: its path, the parser's error beneath.
type errYAML struct {
	file string
	err  error
}

func (e errYAML) Error() string { return e.err.Error() }
func (e errYAML) Unwrap() error { return e.err }

// errRender is Helm's template engine's error (engine.Render): text/template's error beneath it (the overlay's
// engine.go keeps it there).
type errRender struct{ err error }

func (e errRender) Error() string { return e.err.Error() }
func (e errRender) Unwrap() error { return e.err }

// staticError is go-jsonnet's StaticError (a parse or static check error), by its method: the type is internal.
type staticError interface{ Loc() ast.LocationRange }

// classify is a failed command's ErrorInfo: the most specific code its chain holds, else the step's, else "error".
func classify(err error) *ErrorInfo {
	info := &ErrorInfo{Code: "error", Message: err.Error()}
	var (
		unknown errUnknownVariable
		yamlErr errYAML
		runtime jsonnet.RuntimeError
		static  staticError
	)
	switch {
	case errors.As(err, new(errMissingDependency)):
		info.Code = "missing-dependency"
	case errors.As(err, &unknown):
		info.Code, info.Variable = "unknown-variable", unknown.name
	case errors.As(err, new(errRender)):
		info.Code = "template"
		info.File, info.Line = templateLocation(err)
	case errors.As(err, &runtime):
		info.Code = "jsonnet"
		info.File, info.Line = jsonnetFrame(runtime.StackTrace)
	case errors.As(err, &static):
		info.Code, info.File, info.Line = "jsonnet", static.Loc().FileName, static.Loc().Begin.Line
	case errors.As(err, new(errValuesSchema)):
		info.Code = "values-schema"
	case errors.As(err, &yamlErr):
		info.Code, info.File, info.Line = "yaml", yamlErr.file, yamlLine(yamlErr.err)
	default:
		info.Code = stepCode(err)
	}
	return info
}

// stepCode is the code of the innermost step that marked err (a usage error inside a kustomize step is usage).
func stepCode(err error) string {
	code := "error"
	for e := err; e != nil; e = errors.Unwrap(e) {
		if step, ok := e.(coded); ok {
			code = step.code
		}
	}
	return code
}

// templateLocation is where a template's error is: its innermost text/template ExecError's (an error in a template
// that `include` or `tpl` ran is that template's), else its parse error's location.
func templateLocation(err error) (string, int) {
	var exec *template.ExecError
	for e := err; e != nil; e = errors.Unwrap(e) {
		if x, ok := e.(template.ExecError); ok {
			exec = &x
		}
	}
	if exec != nil {
		if file, line, ok := templateErrorLocation(exec.Err.Error()); ok {
			return file, line
		}
		return exec.Name, 0
	}
	for cause := err; cause != nil; cause = errors.Unwrap(cause) {
		if file, line, ok := templateErrorLocation(cause.Error()); ok {
			return file, line
		}
	}
	return "", 0
}

// templateErrorLocation reads text/template's location prefix, the documented format of its errors: parse errors
// `template: NAME:LINE: …`, execution errors `template: NAME:LINE:COL: …` (text/template/parse and exec.go errorf).
// NAME is the template's name as Helm names it (`chart/templates/file.yaml`), which holds no colon.
func templateErrorLocation(text string) (file string, line int, ok bool) {
	rest, found := strings.CutPrefix(text, "template: ")
	if !found {
		return "", 0, false
	}
	name, rest, found := strings.Cut(rest, ":")
	if !found || name == "" {
		return "", 0, false
	}
	end := strings.IndexFunc(rest, func(r rune) bool { return r < '0' || r > '9' })
	if end <= 0 || rest[end] != ':' {
		return "", 0, false
	}
	line, err := strconv.Atoi(rest[:end])
	return name, line, err == nil
}

// jsonnetFrame is the place a runtime error happened: the innermost frame of its stack trace that is in a file.
func jsonnetFrame(frames []jsonnet.TraceFrame) (string, int) {
	for i := len(frames) - 1; i >= 0; i-- {
		if loc := frames[i].Loc; loc.FileName != "" && loc.Begin.Line > 0 {
			return loc.FileName, loc.Begin.Line
		}
	}
	return "", 0
}

// yamlLine is the line go-yaml names in its message (`yaml: line N: …`, `line N: cannot unmarshal …`): its errors
// carry the line in their text only. 0 when there is none.
func yamlLine(err error) int {
	text := err.Error()
	for {
		i := strings.Index(text, "line ")
		if i < 0 {
			return 0
		}
		text = text[i+len("line "):]
		end := strings.IndexFunc(text, func(r rune) bool { return r < '0' || r > '9' })
		if end > 0 && text[end] == ':' {
			line, _ := strconv.Atoi(text[:end])
			return line
		}
	}
}
