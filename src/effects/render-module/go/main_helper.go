//go:build linux && ameide_helper

package main

// The native render helper (built by scripts/build-native.mjs with the `ameide_helper` tag; the host is
// ../native.ts). It confines itself first (confine_linux.go), says so in one handshake line with its self-test, then
// answers requests, one JSON line each on stdin, one JSON line each on stdout: the wasm worker's ModuleRequest and
// ModuleAnswer (../worker.ts), its trees kept by key as the worker keeps them, or a request of the ApplicationSet
// template engine (gotemplate/go/engine, the request and its answer as that engine's JSON text, as its WebAssembly
// build takes and gives them). Its files are memory only (memtree.go): the hooks of hooks.go point there before the
// first request.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"runtime/debug"
	"strconv"

	"ameide.dev/gotemplate/engine"
	"ameide.dev/render-module/fluxartifact"
	"github.com/google/go-jsonnet"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// NativeProtocol names the helper's framing and handshake; the host refuses a helper that speaks another.
const NativeProtocol = "ameide-render-native/1"

type requestTree struct {
	Key      string    `json:"key"`
	Keep     bool      `json:"keep"`
	Snapshot *Snapshot `json:"snapshot,omitempty"`
}

type moduleRequest struct {
	ID          int               `json:"id"`
	Trees       []requestTree     `json:"trees"`
	Drop        []string          `json:"drop"`
	Files       map[string]string `json:"files"`
	Cwd         string            `json:"cwd"`
	Commands    []json.RawMessage `json:"commands"`
	OutputLimit int               `json:"outputLimit"`
	ObjectLimit int               `json:"objectLimit"`
	// Escape is the escape suite's request (escape_test_op.go), answered only by a helper built with ameide_escape.
	Escape json.RawMessage `json:"escape,omitempty"`
	// Template is a request of the ApplicationSet template engine (its JSON text); answered in moduleAnswer.Template.
	Template string `json:"template,omitempty"`
}

type commandResult struct {
	Response
	Stderr string `json:"stderr"`
}

type moduleAnswer struct {
	ID      int             `json:"id"`
	Results []commandResult `json:"results,omitempty"`
	Error   string          `json:"error,omitempty"`
	Escape  any             `json:"escape,omitempty"`
	// Template is the template engine's answer (its JSON text).
	Template string `json:"template,omitempty"`
}

// escapeSuite answers the escape suite's request; nil unless built with the ameide_escape tag.
var escapeSuite func(json.RawMessage) any

type handshake struct {
	Ready    string   `json:"ready"`
	Protocol string   `json:"protocol"`
	Pid      int      `json:"pid"`
	SelfTest SelfTest `json:"selfTest"`
	Error    string   `json:"error,omitempty"`
}

var (
	snapshots = map[string]*Snapshot{}
	bases     = map[string]*memTree{}
)

const keptBases = 8

// fileSystem is the request's view (../worker.ts fileSystem): a base of its kept trees, made once for the same keys,
// the transient trees and the request's files over it.
func fileSystem(r *moduleRequest) (*memFS, error) {
	for _, key := range r.Drop {
		delete(snapshots, key)
		clear(bases)
	}
	var kept, transient []*Snapshot
	var keys []string
	fresh := false
	for _, t := range r.Trees {
		s := t.Snapshot
		if s != nil && t.Keep {
			snapshots[t.Key] = s
			fresh = true
		}
		if s == nil {
			s = snapshots[t.Key]
		}
		if s == nil {
			return nil, fmt.Errorf("the native render helper does not hold %s", t.Key)
		}
		if t.Keep {
			kept = append(kept, s)
			keys = append(keys, t.Key)
		} else {
			transient = append(transient, s)
		}
	}
	id, _ := json.Marshal(keys)
	base := bases[string(id)]
	if base == nil || fresh {
		if len(bases) >= keptBases {
			clear(bases)
		}
		base = newTree(nil).fill(kept)
		bases[string(id)] = base
	}
	tree := newTree(base).fill(transient)
	for p, text := range r.Files {
		tree.set(p, &node{data: []byte(text)})
	}
	cwd := r.Cwd
	if cwd == "" {
		cwd = "/"
	}
	return &memFS{tree: tree, cwd: cwd}, nil
}

func serve(r *moduleRequest) moduleAnswer {
	if r.Template != "" {
		return moduleAnswer{ID: r.ID, Template: string(engine.Handle([]byte(r.Template)))}
	}
	if len(r.Escape) > 0 {
		if escapeSuite == nil {
			return moduleAnswer{ID: r.ID, Error: "no such request"}
		}
		return moduleAnswer{ID: r.ID, Escape: escapeSuite(r.Escape)}
	}
	m, err := fileSystem(r)
	if err != nil {
		return moduleAnswer{ID: r.ID, Error: err.Error()}
	}
	readFile, loadChartPath, isDir = m.readFile, m.loadChart, m.isDir
	kustomizeFS = func() filesys.FileSystem { return memKustomizeFS{m} }
	jsonnetImporter = func(jpaths []string) jsonnet.Importer {
		return &memImporter{m: m, jpaths: jpaths, cache: map[string]*memImport{}}
	}
	readlink, writeFile, exists = m.readlink, m.writeFile, m.exists
	getwd = func() (string, error) { return m.cwd, nil }
	artifactFiles = func() fluxartifact.Files { return memArtifactFiles{m} }
	loadChartDir, mkdirAll, saveChart = m.loadDir, m.mkdirAll, m.saveChart
	results := []commandResult{}
	for _, raw := range r.Commands {
		var request Request
		if bytes.HasPrefix(bytes.TrimSpace(raw), []byte("[")) {
			err = json.Unmarshal(raw, &request.Args)
		} else {
			err = json.Unmarshal(raw, &request)
		}
		if err != nil {
			return moduleAnswer{ID: r.ID, Error: "the native render helper cannot read a command: " + err.Error()}
		}
		if !runsHere(request) {
			return moduleAnswer{ID: r.ID, Error: "the native render helper does not run this command"}
		}
		request.OutputLimit, request.ObjectLimit = r.OutputLimit, r.ObjectLimit
		result := commandResult{Response: Run(request)}
		results = append(results, result)
		if result.Exit != 0 {
			break
		}
	}
	return moduleAnswer{ID: r.ID, Results: results}
}

// runsHere: every command reads and writes its files through memtree.go (`helm template`, `helm dependency build`,
// `kustomize build`, Argo CD's `kustomize edit`, Flux's artifact and generated kustomization, jsonnet, `flux
// substitute`) or reads none (`kube validate`: its input is its argument); `version` is the WebAssembly module's.
func runsHere(request Request) bool {
	if request.HelmTemplate != nil || request.KustomizeBuild != nil {
		return true
	}
	args := request.Args
	switch {
	case len(args) == 2 && args[0] == "jsonnet":
		return true
	case len(args) == 3 && args[0] == "kube" && args[1] == "validate":
		return true
	case len(args) == 3 && args[0] == "flux" && (args[1] == "substitute" || args[1] == "generate" || args[1] == "artifact"):
		return true
	case len(args) == 3 && args[0] == "argocd" && args[1] == "kustomize-edit":
		return true
	case len(args) >= 3 && args[0] == "helm" && args[1] == "dependency" && args[2] == "build":
		return true
	}
	return false
}

// collectLess lets the heap grow to three times what is live before a collection (GOGC=200: renders allocate much and
// keep little; 10 % less CPU over 2,004 renders), under a soft limit of half the address space's limit, so the
// collector works harder as the heap nears it, before RLIMIT_AS is reached.
func collectLess(addressSpace uint64) {
	debug.SetGCPercent(200)
	if addressSpace > 0 {
		debug.SetMemoryLimit(int64(addressSpace / 2))
	}
}

func main() {
	// The address space's limit (the host's memory limit, in bytes, plus Go's own reservations): argv's only argument.
	var addressSpace uint64
	if len(os.Args) == 2 {
		addressSpace, _ = strconv.ParseUint(os.Args[1], 10, 64)
	}
	collectLess(addressSpace)
	out := bufio.NewWriterSize(os.Stdout, 1<<16)
	say := func(v any) {
		line, _ := json.Marshal(v)
		_, _ = out.Write(append(line, '\n'))
		_ = out.Flush()
	}
	hello := handshake{Ready: NativeProtocol, Protocol: Protocol, Pid: os.Getpid()}
	if err := confine(addressSpace); err != nil {
		hello.Error = err.Error()
		say(hello)
		os.Exit(3)
	}
	hello.SelfTest = selfTest()
	say(hello)
	if !hello.SelfTest.Passed {
		os.Exit(3)
	}
	in := bufio.NewReaderSize(os.Stdin, 1<<20)
	for {
		line, err := in.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			var r moduleRequest
			if jerr := json.Unmarshal(line, &r); jerr != nil {
				say(moduleAnswer{ID: -1, Error: "the native render helper cannot read a request: " + jerr.Error()})
			} else {
				say(serve(&r))
			}
		}
		if err != nil {
			os.Exit(0)
		}
	}
}
