package main

import (
	"helm.sh/helm/v4/pkg/chart/common"
	"helm.sh/helm/v4/pkg/chart/loader/archive"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
)

// chartFiles are the files the loader read from each chart folder the host named by a key (HelmTemplate.ChartKey:
// a folder of a frozen revision), as the loader kept them (the chart's Raw: after .helmignore, in the walk's order, a
// byte-order mark trimmed). The same chart for three environments, or again for a second Application, is then loaded
// from them (loader.LoadFiles, what LoadDir ends with) without walking the folder and reading each file through the
// host: a fresh chart each time, as Helm's install changes the one it is given.
var chartFiles = map[string][]common.File{}

// keptCharts and keptBytes bound chartFiles (its charts, their files' bytes): past either, it starts again empty.
const (
	keptCharts = 1024
	keptBytes  = 64 << 20
)

// chartBytes is what chartFiles holds, in bytes.
var chartBytes = 0

// loadChart is loader.Load, its files kept under `key` (none: loaded as Helm loads it, nothing kept).
func loadChart(chartPath, key string) (*chart.Chart, error) {
	if files, ok := chartFiles[key]; ok && key != "" {
		buffered := make([]*archive.BufferedFile, len(files))
		for i, f := range files {
			buffered[i] = &archive.BufferedFile{Name: f.Name, ModTime: f.ModTime, Data: f.Data}
		}
		return loader.LoadFiles(buffered)
	}
	ch, err := loadChartPath(chartPath)
	if err != nil || key == "" {
		return ch, err
	}
	// Only a folder's: an archive's files are read in one piece anyway.
	if !isDir(chartPath) {
		return ch, err
	}
	kept := make([]common.File, len(ch.Raw))
	size := 0
	for i, f := range ch.Raw {
		kept[i] = *f
		size += len(f.Data)
	}
	if size > keptBytes {
		return ch, nil
	}
	if len(chartFiles) >= keptCharts || chartBytes+size > keptBytes {
		clear(chartFiles)
		chartBytes = 0
	}
	chartFiles[key] = kept
	chartBytes += size
	return ch, nil
}
