//go:build !js

package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/yaml"
)

// A CRD with every schema feature the API server checks: types, required, enums, formats, patterns, bounds, unknown
// fields, x-kubernetes-preserve-unknown-fields, -int-or-string, -embedded-resource, nullable, defaults, list types and
// CEL rules.
const widgetCRD = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, listKind: WidgetList}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            required: [duration]
            x-kubernetes-validations:
            - rule: "self.minReplicas <= self.maxReplicas"
              message: minReplicas must not exceed maxReplicas
            properties:
              duration: {type: string, pattern: '^[0-9]+(h|m|s)$'}
              tier: {type: string, enum: [gold, silver]}
              minReplicas: {type: integer, default: 1}
              maxReplicas: {type: integer, maximum: 10, default: 3}
              email: {type: string, format: email}
              port: {x-kubernetes-int-or-string: true}
              extra: {type: object, x-kubernetes-preserve-unknown-fields: true}
              template: {type: object, x-kubernetes-embedded-resource: true, x-kubernetes-preserve-unknown-fields: true}
              note: {type: string, nullable: true}
              hosts:
                type: array
                x-kubernetes-list-type: set
                items: {type: string}
  - name: v1beta1
    served: false
    storage: false
    schema:
      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
`

func widget(spec string) json.RawMessage {
	doc := "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec:\n" + spec
	out, err := yaml.YAMLToJSON([]byte(doc))
	if err != nil {
		panic(err)
	}
	return out
}

func asJSON(t *testing.T, doc string) json.RawMessage {
	t.Helper()
	out, err := yaml.YAMLToJSON([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestValidateCustomResources(t *testing.T) {
	crd := asJSON(t, widgetCRD)
	cases := []struct {
		name   string
		object json.RawMessage
		want   string // a substring of the one error; "" for none
	}{
		{"valid with every extension", widget(`  duration: 90h
  tier: gold
  port: http
  extra: {anything: [1, 2]}
  template: {apiVersion: v1, kind: ConfigMap, metadata: {name: x}, data: {a: b}}
  note: null
  hosts: [a, b]`), ""},
		{"int-or-string holds a number", widget("  duration: 1m\n  port: 8080"), ""},
		{"defaults fill what CEL reads", widget("  duration: 1m"), ""},
		{"wrong type", widget("  duration: 90"), `spec.duration: Invalid value: "integer": spec.duration in body must be of type string`},
		{"missing required", widget("  tier: gold"), `spec.duration: Required value`},
		{"enum", widget("  duration: 1m\n  tier: bronze"), `spec.tier: Unsupported value: "bronze"`},
		{"pattern", widget("  duration: ninety"), `should match '^[0-9]+(h|m|s)$'`},
		{"maximum", widget("  duration: 1m\n  maxReplicas: 11"), `should be less than or equal to 10`},
		{"format", widget("  duration: 1m\n  email: not-an-email"), `spec.email in body must be of type email`},
		{"unknown field", widget("  duration: 1m\n  durration: 1m"), `unknown field "spec.durration"`},
		{"CEL rule", widget("  duration: 1m\n  minReplicas: 5\n  maxReplicas: 2"), `minReplicas must not exceed maxReplicas`},
		{"list set", widget("  duration: 1m\n  hosts: [a, a]"), `Duplicate value: "a"`},
		{"embedded resource without a kind", widget("  duration: 1m\n  template: {apiVersion: v1, metadata: {name: x}}"), `spec.template.kind: Required value`},
		{"version not served", asJSON(t, "apiVersion: example.com/v1beta1\nkind: Widget\nmetadata: {name: w}"), "unserved"},
	}
	objects := make([]json.RawMessage, len(cases))
	for i, c := range cases {
		objects[i] = c.object
	}
	out := validateDocuments(validateInput{CRDs: []json.RawMessage{crd}, Objects: objects})
	if len(out.CRDs[0].Errors) != 0 {
		t.Fatalf("the CRD is valid, got %v", out.CRDs[0].Errors)
	}
	for i, c := range cases {
		got := out.Objects[i]
		if got.CRD != 0 {
			t.Errorf("%s: decided by CRD %d, want 0", c.name, got.CRD)
		}
		switch {
		case c.want == "unserved":
			if !got.Unserved {
				t.Errorf("%s: want unserved, got %+v", c.name, got)
			}
		case c.want == "" && len(got.Errors) > 0:
			t.Errorf("%s: want no error, got %+v", c.name, got.Errors)
		case c.want != "" && (len(got.Errors) == 0 || !strings.Contains(describe(got.Errors[0]), c.want)):
			t.Errorf("%s: want %q, got %+v", c.name, c.want, got.Errors)
		}
	}
}

func describe(e fieldError) string { return e.Field + ": " + e.Message }

func TestValidateUnknownKindAndInvalidCRD(t *testing.T) {
	bad := strings.Replace(widgetCRD, "type: object\n        properties:", "properties:", 1) // not structural: no root type
	out := validateDocuments(validateInput{
		CRDs:    []json.RawMessage{asJSON(t, bad)},
		Objects: []json.RawMessage{asJSON(t, "apiVersion: other.example.com/v1\nkind: Gadget\nmetadata: {name: g}")},
	})
	if len(out.CRDs[0].Errors) == 0 {
		t.Errorf("a CRD whose schema is not structural is refused by the API server")
	}
	if out.Objects[0].CRD != -1 || len(out.Objects[0].Errors) != 0 {
		t.Errorf("a kind no CRD defines is unknown, got %+v", out.Objects[0])
	}
}

// A hostile CRD: a CEL rule whose cost has no bound, a schema nested thousands deep, an enum of many thousand values,
// and a pattern that backtracks in other engines. The objects are validated within the API server's runtime budget,
// and the whole answer is bounded.
func TestValidateHostileCRD(t *testing.T) {
	nested := "{type: string}"
	for i := 0; i < 2000; i++ {
		nested = "{type: object, properties: {n: " + nested + "}}"
	}
	enum := make([]string, 20000)
	for i := range enum {
		enum[i] = fmt.Sprintf("v%d", i)
	}
	crd := strings.NewReplacer("NESTED", nested, "ENUM", strings.Join(enum, ", ")).Replace(`
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: hostiles.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: hostiles, singular: hostile, kind: Hostile, listKind: HostileList}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            x-kubernetes-validations:
            - rule: "self.items.all(a, self.items.all(b, self.items.all(c, a + b + c != '')))"
            properties:
              items: {type: array, items: {type: string}}
              deep: NESTED
              choice: {type: string, enum: [ENUM]}
              text: {type: string, pattern: '^(a+)+$'}
`)
	raw := json.RawMessage(`{"apiVersion":"example.com/v1","kind":"Hostile","metadata":{"name":"h"},"spec":{"items":["` +
		strings.Repeat(`x","`, 2999) + `x"],"choice":"nope","text":"` + strings.Repeat("a", 5000) + `!"}}`)
	started := time.Now()
	out := validateDocuments(validateInput{CRDs: []json.RawMessage{asJSON(t, crd)}, Objects: []json.RawMessage{raw}})
	if elapsed := time.Since(started); elapsed > 30*time.Second {
		t.Errorf("a hostile CRD took %s", elapsed)
	}
	// The API server refuses the CRD itself: its rule's estimated cost, 3 nested loops over an unbounded list.
	var refused []string
	for _, e := range out.CRDs[0].Errors {
		refused = append(refused, describe(e))
	}
	if want := "spec.versions[0].schema.openAPIV3Schema.properties[spec].x-kubernetes-validations[0].rule: Forbidden: estimated rule cost exceeds budget by factor of more than 100x"; !strings.Contains(strings.Join(refused, "\n"), want) {
		t.Errorf("want %q among the CRD's errors, got:\n%s", want, strings.Join(refused, "\n"))
	}
	var said []string
	for _, e := range out.Objects[0].Errors {
		said = append(said, describe(e))
	}
	joined := strings.Join(said, "\n")
	for _, want := range []string{`spec.choice: Unsupported value: "nope"`, `spec.text`} {
		if !strings.Contains(joined, want) {
			t.Errorf("want %q among the errors, got:\n%s", want, joined)
		}
	}
}
