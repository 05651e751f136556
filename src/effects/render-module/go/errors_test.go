package main

import (
	"errors"
	"fmt"
	"testing"
	"text/template"
)

// The location prefix of text/template's own errors, produced by text/template itself.
func TestTemplateErrorLocation(t *testing.T) {
	_, parseErr := template.New("web/templates/d.yaml").Parse("a\nb {{ nope }}\n")
	tpl := template.Must(template.New("web/templates/e.yaml").Parse("x\ny\n  {{ .a.b }}\n"))
	execErr := tpl.Execute(new(errorsDiscard), map[string]any{"a": nil})
	cases := []struct {
		err  error
		file string
		line int
	}{
		{parseErr, "web/templates/d.yaml", 2},
		{execErr, "web/templates/e.yaml", 3},
	}
	for _, c := range cases {
		if c.err == nil {
			t.Fatalf("no error for %s", c.file)
		}
		file, line, ok := templateErrorLocation(c.err.Error())
		if !ok || file != c.file || line != c.line {
			t.Errorf("%q: got %q %d %v, want %q %d", c.err, file, line, ok, c.file, c.line)
		}
	}
	for _, text := range []string{"parse error at (d.yaml:2): x", "template: d.yaml", "template: d.yaml:x: y", "template: :2: y"} {
		if _, _, ok := templateErrorLocation(text); ok {
			t.Errorf("%q read as a location", text)
		}
	}
	var exec template.ExecError
	if !errors.As(execErr, &exec) {
		t.Fatalf("%v is no ExecError", execErr)
	}
}

func TestClassify(t *testing.T) {
	cases := []struct {
		err  error
		code string
	}{
		{errMissingDependency{[]string{"a"}}, "missing-dependency"},
		{fmt.Errorf("x: %w", errUnknownVariable{"V"}), "unknown-variable"},
		{withCode("kustomize", usage(errors.New("bad"))), "usage"},
		{withCode("kustomize", errors.New("bad")), "kustomize"},
		{errors.New("bad"), "error"},
		{errYAML{"v.yaml", errors.New("failed to parse v.yaml: yaml: line 7: could not find expected ':'")}, "yaml"},
	}
	for _, c := range cases {
		if got := classify(c.err); got.Code != c.code || got.Message != c.err.Error() {
			t.Errorf("%v: %+v, want code %s", c.err, got, c.code)
		}
	}
	if got := classify(cases[5].err); got.File != "v.yaml" || got.Line != 7 {
		t.Errorf("yaml: %+v", got)
	}
	if got := classify(cases[1].err); got.Variable != "V" {
		t.Errorf("unknown variable: %+v", got)
	}
}

type errorsDiscard struct{}

func (errorsDiscard) Write(p []byte) (int, error) { return len(p), nil }
