package main

// Helm's values.Options.MergeValues for the flags ameide passes (--values, --set, --set-string, --set-file), in
// Helm's order, with Helm's own parsers (loader.LoadValues, loader.MergeMaps, strvals). Helm's cli/values package
// cannot be compiled to WebAssembly (its getters reach the Kubernetes client); here a value file is only ever a
// file of the in-memory revision: no getter, no URL, no stdin.

import (
	"bytes"
	"fmt"

	"helm.sh/helm/v4/pkg/chart/v2/loader"
	"helm.sh/helm/v4/pkg/strvals"
)

type valueOptions struct {
	ValueFiles, Values, StringValues, FileValues []string
}

func (opts *valueOptions) MergeValues() (map[string]any, error) {
	base := map[string]any{}
	for _, filePath := range opts.ValueFiles {
		raw, err := readFile(filePath)
		if err != nil {
			return nil, err
		}
		currentMap, err := loader.LoadValues(bytes.NewReader(raw))
		if err != nil {
			return nil, errYAML{filePath, fmt.Errorf("failed to parse %s: %w", filePath, err)}
		}
		base = loader.MergeMaps(base, currentMap)
	}
	for _, value := range opts.Values {
		if err := strvals.ParseInto(value, base); err != nil {
			return nil, fmt.Errorf("failed parsing --set data: %w", err)
		}
	}
	for _, value := range opts.StringValues {
		if err := strvals.ParseIntoString(value, base); err != nil {
			return nil, fmt.Errorf("failed parsing --set-string data: %w", err)
		}
	}
	for _, value := range opts.FileValues {
		reader := func(rs []rune) (any, error) {
			data, err := readFile(string(rs))
			return string(data), err
		}
		if err := strvals.ParseIntoFile(value, base, reader); err != nil {
			return nil, fmt.Errorf("failed parsing --set-file data: %w", err)
		}
	}
	return base, nil
}
