//go:build !js

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	crdvalidation "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation"
)

// The built-in CRD catalog the build writes (scripts/crd-catalog.mjs); AMEIDE_CRD_CATALOG_JSON names another.
func catalogFile() string {
	if file := os.Getenv("AMEIDE_CRD_CATALOG_JSON"); file != "" {
		return file
	}
	return filepath.Join("..", "..", "..", "..", "dist", "kubernetes", "crd-catalog.json")
}

type catalogEntry struct {
	Source string          `json:"source"`
	CRD    json.RawMessage `json:"crd"`
}

// The field no catalog CRD declares, set in every object's spec.
const strayField = "ameideUnknownField"

// TestCatalogCRDs: every CRD of the built-in catalog is one the API server accepts — the helper's own check (its name,
// structural schemas, its CEL rules compiled within the cost limits: celcost.go) and apiextensions-apiserver's whole
// create validation, which compiles each version's CEL rules and holds each to the per-rule and per-CRD cost limits,
// agree on it — and for each served version an object
// `{apiVersion, kind, metadata: {name: x, namespace: y}, spec: {ameideUnknownField: 1}}` is answered by that CRD,
// without an internal error, with the unknown-field finding wherever the schema prunes spec's unknown fields and
// without one where it keeps them. Without the catalog the test fails: scripts/ci/go-check.sh builds it first.
func TestCatalogCRDs(t *testing.T) {
	started := time.Now()
	data, err := os.ReadFile(catalogFile())
	if err != nil {
		t.Fatalf("the built-in CRD catalog is not built (%v): `node scripts/crd-catalog.mjs` (or npm run build) writes it", err)
	}
	var entries []catalogEntry
	if err := json.Unmarshal(data, &entries); err != nil || len(entries) == 0 {
		t.Fatalf("the CRD catalog %s holds no CRD (%v)", catalogFile(), err)
	}
	versions, pruning := 0, 0
	for _, entry := range entries {
		v, p := checkCatalogEntry(t, entry)
		versions, pruning = versions+v, pruning+p
	}
	t.Logf("%d CRDs, %d served versions (%d pruning spec's unknown fields) of %s checked in %s",
		len(entries), versions, pruning, catalogFile(), time.Since(started).Round(time.Millisecond))
}

// checkCatalogEntry checks one CRD and an object of each of its served versions: how many versions, how many pruned.
func checkCatalogEntry(t *testing.T, entry catalogEntry) (versions, pruning int) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("%s: the validation crashed: %v", entry.Source, r)
		}
	}()
	d, answer := readDefinition(entry.CRD, true)
	if d.crd == nil {
		t.Errorf("%s: the CRD does not decode: %+v", entry.Source, answer.Errors)
		return 0, 0
	}
	// The helper's own check (name, structural schemas, CEL rules and their cost: celcost.go) against the API
	// server's whole one: both accept every catalog CRD, and neither refuses one the other accepts.
	refused := apiServerCreate(t, d.crd)
	for _, e := range refused {
		t.Errorf("%s: the API server refuses the CRD: %s", entry.Source, e)
	}
	for _, e := range answer.Errors {
		t.Errorf("%s: the helper refuses the CRD: %s: %s", entry.Source, e.Field, e.Message)
	}
	if (len(refused) > 0) != (len(answer.Errors) > 0) {
		t.Errorf("%s: the helper and the API server disagree (%d and %d errors)", entry.Source, len(answer.Errors), len(refused))
	}
	if len(answer.Errors) > 0 {
		return 0, 0
	}
	for _, v := range d.crd.Spec.Versions {
		if !v.Served {
			continue
		}
		versions++
		prunes := prunesSpec(d, v.Name)
		if prunes {
			pruning++
		}
		checkStrayField(t, entry, d.crd, v.Name, prunes)
	}
	return versions, pruning
}

// apiServerCreate: apiextensions-apiserver's validation of a new CRD (ValidateCustomResourceDefinition, CEL and its
// cost limits included), on the CRD as the API server holds it (v1 defaulted, converted to the internal version).
func apiServerCreate(t *testing.T, crd *apiextensionsv1.CustomResourceDefinition) []string {
	t.Helper()
	internal := &apiextensions.CustomResourceDefinition{}
	if err := apiextensionsv1.Convert_v1_CustomResourceDefinition_To_apiextensions_CustomResourceDefinition(crd.DeepCopy(), internal, nil); err != nil {
		return []string{err.Error()}
	}
	var said []string
	for _, e := range crdvalidation.ValidateCustomResourceDefinition(context.Background(), internal) {
		said = append(said, e.Error())
	}
	return said
}

// prunesSpec: the version's structural schema drops an unknown field of spec (spec neither keeps unknown fields nor
// is a map; a schema without spec drops spec itself, unless its root keeps unknown fields).
func prunesSpec(d *definition, version string) bool {
	s := d.version(version).structural
	if s == nil || d.crd.Spec.PreserveUnknownFields {
		return false
	}
	spec, ok := s.Properties["spec"]
	if !ok {
		return !s.XPreserveUnknownFields
	}
	return !spec.XPreserveUnknownFields && spec.AdditionalProperties == nil && !spec.XEmbeddedResource
}

// checkStrayField validates `spec: {ameideUnknownField: 1}` at the version: the CRD decides it, no internal error,
// and the unknown field is said exactly where the schema prunes it.
func checkStrayField(t *testing.T, entry catalogEntry, crd *apiextensionsv1.CustomResourceDefinition, version string, prunes bool) {
	t.Helper()
	object, _ := json.Marshal(map[string]any{
		"apiVersion": crd.Spec.Group + "/" + version,
		"kind":       crd.Spec.Names.Kind,
		"metadata":   map[string]any{"name": "x", "namespace": "y"},
		"spec":       map[string]any{strayField: 1},
	})
	out := validateDocuments(validateInput{Definitions: []json.RawMessage{entry.CRD}, Objects: []json.RawMessage{object}})
	got := out.Objects[0]
	at := fmt.Sprintf("%s %s/%s %s", entry.Source, crd.Spec.Group, version, crd.Spec.Names.Kind)
	if got.CRD != 0 || got.Unserved {
		t.Errorf("%s: the object was not decided by its CRD: %+v", at, got)
		return
	}
	unknown := false
	for _, e := range got.Errors {
		if e.Type == "InternalError" {
			t.Errorf("%s: %s", at, e.Message)
		}
		if e.Type == "FieldValueNotSupported" && strings.Contains(e.Message, strayField) {
			unknown = true
		}
		if e.Type == "FieldValueNotSupported" && e.Field == "spec" && !unknown {
			unknown = true // a schema without spec drops spec itself
		}
	}
	if unknown != prunes {
		t.Errorf("%s: pruned %v, but the unknown field said %v: %+v", at, prunes, unknown, got.Errors)
	}
}
