package main

// A render's documents as data, so the host parses JSON instead of YAML. Argo CD and the API server read a render with
// sigs.k8s.io/yaml, whose parser is go-yaml v2: each document here is read by that same parser (into a MapSlice, so
// keys keep their order) and written as JSON. The host splits the output at `---` lines; each chunk of that split
// gets one entry: its document as JSON (null where it holds none), or false where the host reads the chunk itself.
// A chunk is left to the host wherever this reading could differ from the host's in anything but speed: several
// documents or directives in it, aliases (the host's alias limit), tags, merge keys, keys that are not strings or
// repeat, values JSON cannot hold, or what go-yaml cannot read (the host's message names why).

import (
	"bytes"
	"encoding/json"
	"math"
	"regexp"
	"strings"

	yaml "go.yaml.in/yaml/v2"
)

// documentSeparator is the host's split (`/^---[ \t]*$/m`); output with a line ending the two would read differently
// (a carriage return, U+2028, U+2029) is left to the host whole.
var documentSeparator = regexp.MustCompile(`(?m)^---[ \t]*$`)

// markers are what makes a chunk more than one plain document, or a document the fast path does not claim.
var markers = regexp.MustCompile(`(?m)^(?:---|\.\.\.|%)|\*|<<|(?:^|[\s\[{,:?-])!`)

// renderedDocuments is the JSON array of the chunks of text, or "" where the host reads it all.
func renderedDocuments(text string) string {
	if strings.ContainsAny(text, "\r\u2028\u2029") {
		return ""
	}
	var out bytes.Buffer
	out.WriteByte('[')
	for i, chunk := range documentSeparator.Split(text, -1) {
		if i > 0 {
			out.WriteByte(',')
		}
		out.Write(chunkDocument(chunk))
	}
	out.WriteByte(']')
	return out.String()
}

// chunkDocument is a chunk's document as JSON, or `false`.
func chunkDocument(chunk string) []byte {
	if markers.MatchString(chunk) {
		return []byte("false")
	}
	if onlyComments(chunk) {
		return []byte("null")
	}
	var doc yaml.MapSlice
	if err := yaml.Unmarshal([]byte(chunk), &doc); err != nil || doc == nil {
		// Not a mapping, unreadable, or an empty one (`{}` and `~` alike): the host's reading says which.
		return []byte("false")
	}
	encoded, ok := appendJSON(nil, doc)
	if !ok {
		return []byte("false")
	}
	return encoded
}

// onlyComments: nothing in the chunk but blank and comment lines.
func onlyComments(chunk string) bool {
	for _, line := range strings.Split(chunk, "\n") {
		if trimmed := strings.TrimSpace(line); trimmed != "" && !strings.HasPrefix(trimmed, "#") {
			return false
		}
	}
	return true
}

// appendJSON writes v as sigs.k8s.io/yaml's json.Marshal would, keys in their order; false where the host must decide.
func appendJSON(b []byte, v any) ([]byte, bool) {
	switch t := v.(type) {
	case yaml.MapSlice:
		return appendObject(b, t)
	case []any:
		b = append(b, '[')
		for i, item := range t {
			if i > 0 {
				b = append(b, ',')
			}
			var ok bool
			if b, ok = appendJSON(b, item); !ok {
				return nil, false
			}
		}
		return append(b, ']'), true
	case float64:
		if math.IsInf(t, 0) || math.IsNaN(t) {
			return nil, false
		}
	case nil, string, bool, int, int64, uint64:
	default:
		return nil, false
	}
	encoded, err := json.Marshal(v)
	return append(b, encoded...), err == nil
}

func appendObject(b []byte, m yaml.MapSlice) ([]byte, bool) {
	seen := make(map[string]bool, len(m))
	b = append(b, '{')
	for i, item := range m {
		key, ok := item.Key.(string)
		if !ok || seen[key] {
			return nil, false
		}
		seen[key] = true
		if i > 0 {
			b = append(b, ',')
		}
		encoded, _ := json.Marshal(key)
		b = append(append(b, encoded...), ':')
		if b, ok = appendJSON(b, item.Value); !ok {
			return nil, false
		}
	}
	return append(b, '}'), true
}
