package main

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// Every chunk documents.go claims reads as sigs.k8s.io/yaml reads it (Argo CD's kube.SplitYAML), keys in order.
func TestRenderedDocumentsAsSigsYaml(t *testing.T) {
	text := strings.Join([]string{
		"# Source: c/templates/a.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  mode: 0444\n  q: 'yes'\n  o: on\n  big: 18446744073709551615\n  f: 1_000.5\n  t: 2001-12-14\n  s: |\n    block\n",
		"\n# only a comment\n",
		"\nzeta: 1\nalpha: [1, 2.5, null, ~, true]\n",
		"",
	}, "---\n")
	var got []json.RawMessage
	if err := json.Unmarshal([]byte(renderedDocuments(text)), &got); err != nil {
		t.Fatal(err)
	}
	chunks := documentSeparator.Split(text, -1)
	if len(got) != len(chunks) {
		t.Fatalf("%d entries for %d chunks", len(got), len(chunks))
	}
	for i, chunk := range chunks {
		want, err := yaml.YAMLToJSON([]byte(chunk))
		if err != nil {
			t.Fatal(err)
		}
		var a, b any
		_ = json.Unmarshal(got[i], &a)
		_ = json.Unmarshal(want, &b)
		if !reflect.DeepEqual(a, b) {
			t.Errorf("chunk %d: %s, sigs.k8s.io/yaml %s", i, got[i], want)
		}
	}
	if !strings.HasPrefix(string(got[2]), `{"zeta":1,"alpha":`) {
		t.Errorf("keys out of their order: %s", got[2])
	}
	if string(got[1]) != "null" || string(got[3]) != "null" {
		t.Errorf("empty chunks: %s %s", got[1], got[3])
	}
}

// What could read differently, or not at all, is left to the host.
func TestRenderedDocumentsLeftToTheHost(t *testing.T) {
	for _, chunk := range []string{
		"a: &x 1\nb: *x\n", "a: !!str 1\n", "<<: {a: 1}\n", "1: one\n", "a: 1\na: 2\n", "a: .inf\n",
		"--- # two\na: 1\n", "- a\n", "a: [\n", "{}\n", "'text'\n", "%YAML 1.1\n", "yes: 1\n",
	} {
		if got := chunkDocument(chunk); string(got) != "false" {
			t.Errorf("%q: %s", chunk, got)
		}
	}
	if got := renderedDocuments("a: 1\r\n"); got != "" {
		t.Errorf("a carriage return: %s", got)
	}
}
