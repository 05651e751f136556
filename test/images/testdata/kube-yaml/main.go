// The differential reference of src/images/yaml/kube.ts: each text of a JSON array on stdin split and read as
// gitops-engine's kube.SplitYAML reads a render's output (Argo CD), through apimachinery's YAMLOrJSONDecoder and
// sigs.k8s.io/yaml; one line of JSON per text on stdout: {"objects":[…]} (empty and null documents skipped, as
// SplitYAML skips them) or {"error":"…"}.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"

	kubeyaml "k8s.io/apimachinery/pkg/util/yaml"
)

type answer struct {
	Objects []json.RawMessage `json:"objects"`
	Error   string            `json:"error,omitempty"`
}

func split(text string) answer {
	out := answer{Objects: []json.RawMessage{}}
	d := kubeyaml.NewYAMLOrJSONDecoder(bytes.NewReader([]byte(text)), 4096)
	for {
		var raw json.RawMessage
		if err := d.Decode(&raw); err != nil {
			if errors.Is(err, io.EOF) {
				return out
			}
			return answer{Error: err.Error()}
		}
		raw = bytes.TrimSpace(raw)
		if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
			continue
		}
		out.Objects = append(out.Objects, raw)
	}
}

func main() {
	var texts []string
	if err := json.NewDecoder(os.Stdin).Decode(&texts); err != nil {
		panic(err)
	}
	enc := json.NewEncoder(os.Stdout)
	for _, t := range texts {
		if err := enc.Encode(split(t)); err != nil {
			panic(err)
		}
	}
}
