package main

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// A chart loaded again from the files kept under its key is the chart the loader makes of its folder; without a key,
// or under another key, the folder is read again.
func TestLoadChartKept(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("Chart.yaml", "apiVersion: v2\nname: c\nversion: 0.1.0\n")
	write("values.yaml", "\ufeffreplicas: 1\n")
	write(".helmignore", "ignored.txt\n")
	write("ignored.txt", "no\n")
	write("templates/cm.yaml", "kind: ConfigMap\n")
	clear(chartFiles)
	first, err := loadChart(dir, "k")
	if err != nil {
		t.Fatal(err)
	}
	write("templates/cm.yaml", "kind: Secret\n")
	again, err := loadChart(dir, "k")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(first, again) {
		t.Fatalf("kept chart differs:\n%#v\n%#v", first, again)
	}
	if again == first || again.Templates[0] == first.Templates[0] {
		t.Fatal("a kept chart must be a fresh chart each time")
	}
	fresh, err := loadChart(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if string(fresh.Templates[0].Data) != "kind: Secret\n" {
		t.Fatalf("without a key the folder is read again: %q", fresh.Templates[0].Data)
	}
	other, _ := loadChart(dir, "other")
	if string(other.Templates[0].Data) != "kind: Secret\n" {
		t.Fatalf("another key reads the folder: %q", other.Templates[0].Data)
	}
}
