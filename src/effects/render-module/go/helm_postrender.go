package main

// Where Helm runs a post-renderer (Configuration.renderResources, Helm v4.1.4 pkg/action/action.go): the rendered
// files merged into one stream, each document annotated with its file, run through the post-renderer, then split
// back by that annotation — annotateAndMerge, splitAndDeannotate and fixDocSeparators transcribed, as the action
// package cannot be compiled here (helm.go). The post-renderers are helm-controller's (./fluxpostrender).

import (
	"bytes"
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/kio"
	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"

	"ameide.dev/render-module/fluxpostrender/postrenderer"
)

// filenameAnnotation is Helm's: the file a document came from, while it is post-rendered.
const filenameAnnotation = "postrenderer.helm.sh/postrender-filename"

// postRender is renderResources' post-render step.
func postRender(files map[string]string, pr postrenderer.PostRenderer) (map[string]string, error) {
	merged, err := annotateAndMerge(files)
	if err != nil {
		return nil, fmt.Errorf("error merging manifests: %w", err)
	}
	postRendered, err := pr.Run(bytes.NewBufferString(merged))
	if err != nil {
		return nil, fmt.Errorf("error while running post render on files: %w", err)
	}
	files, err = splitAndDeannotate(postRendered.String())
	if err != nil {
		return nil, fmt.Errorf("error while parsing post rendered output: %w", err)
	}
	return files, nil
}

func annotateAndMerge(files map[string]string) (string, error) {
	var combinedManifests []*kyaml.RNode
	for _, fname := range slices.Sorted(maps.Keys(files)) {
		content := files[fname]
		// Skip partials and empty files.
		if strings.HasPrefix(path.Base(fname), "_") || strings.TrimSpace(content) == "" {
			continue
		}
		manifests, err := kio.ParseAll(fixDocSeparators(content))
		if err != nil {
			return "", fmt.Errorf("parsing %s: %w", fname, err)
		}
		for _, manifest := range manifests {
			if err := manifest.PipeE(kyaml.SetAnnotation(filenameAnnotation, fname)); err != nil {
				return "", fmt.Errorf("annotating %s: %w", fname, err)
			}
			combinedManifests = append(combinedManifests, manifest)
		}
	}
	merged, err := kio.StringAll(combinedManifests)
	if err != nil {
		return "", fmt.Errorf("writing merged docs: %w", err)
	}
	return merged, nil
}

func splitAndDeannotate(postrendered string) (map[string]string, error) {
	manifests, err := kio.ParseAll(postrendered)
	if err != nil {
		return nil, fmt.Errorf("error parsing YAML: %w", err)
	}
	manifestsByFilename := make(map[string][]*kyaml.RNode)
	for i, manifest := range manifests {
		meta, err := manifest.GetMeta()
		if err != nil {
			return nil, fmt.Errorf("getting metadata: %w", err)
		}
		fname := meta.Annotations[filenameAnnotation]
		if fname == "" {
			fname = fmt.Sprintf("generated-by-postrender-%d.yaml", i)
		}
		if err := manifest.PipeE(kyaml.ClearAnnotation(filenameAnnotation)); err != nil {
			return nil, fmt.Errorf("clearing filename annotation: %w", err)
		}
		manifestsByFilename[fname] = append(manifestsByFilename[fname], manifest)
	}
	reconstructed := make(map[string]string, len(manifestsByFilename))
	for fname, docs := range manifestsByFilename {
		fileContents, err := kio.StringAll(docs)
		if err != nil {
			return nil, fmt.Errorf("re-writing %s: %w", fname, err)
		}
		reconstructed[fname] = fileContents
	}
	return reconstructed, nil
}

// fixDocSeparators puts a newline after a `---` that starts a line and is followed by content (`{{-` trimming).
func fixDocSeparators(content string) string {
	var b strings.Builder
	remaining := content
	for {
		idx := strings.Index(remaining, "---")
		if idx == -1 {
			b.WriteString(remaining)
			break
		}
		if idx > 0 && remaining[idx-1] != '\n' {
			b.WriteString(remaining[:idx+3])
			remaining = remaining[idx+3:]
			continue
		}
		b.WriteString(remaining[:idx+3])
		remaining = remaining[idx+3:]
		if len(remaining) > 0 && remaining[0] != '\n' && remaining[0] != '\r' && remaining[0] != ' ' && remaining[0] != '\t' {
			b.WriteByte('\n')
		}
	}
	return b.String()
}
