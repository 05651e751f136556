//go:build !js

package main

// The API server's own validation of CustomResourceDefinitions and of custom resources against them
// (k8s.io/apiextensions-apiserver), as a create through `kubectl apply`'s strict field validation meets it: a CRD is
// validated as the API server validates a new one; a custom resource is decoded as the CRD's handler decodes it
// (unknown fields pruned and, strict, each one an error; nulls the schema forbids dropped; defaults applied), then
// validated as its strategy validates a create: object metadata, the OpenAPI schema, embedded resources, list types
// and the CEL rules (x-kubernetes-validations) within the API server's cost budget.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"k8s.io/apiextensions-apiserver/pkg/apihelpers"
	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel"
	structuraldefaulting "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	structurallisttype "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/listtype"
	schemaobjectmeta "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/objectmeta"
	structuralpruning "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	apiservervalidation "k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	"k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
)

// validateInput: the CRDs to validate, those that only define kinds (a catalog's, the revision's files'), each a JSON
// document, and the objects to validate against them all.
type validateInput struct {
	CRDs        []json.RawMessage `json:"crds"`
	Definitions []json.RawMessage `json:"definitions"`
	Objects     []json.RawMessage `json:"objects"`
}

// fieldError is one of the API server's field errors, as `kubectl apply` prints it: `<field>: <type>: <detail>`.
type fieldError struct {
	Field   string `json:"field"`
	Type    string `json:"type"`
	Message string `json:"message"`
}

// crdAnswer: what creating the CRD would say (no errors: it is accepted).
type crdAnswer struct {
	Name   string       `json:"name"`
	Errors []fieldError `json:"errors"`
}

// objectAnswer: the CRD (an index into the input's crds followed by its definitions) that decided an object, -1 when none defines its group
// and kind; Unserved when one does but serves no such version; Errors are the create's.
type objectAnswer struct {
	CRD      int          `json:"crd"`
	Unserved bool         `json:"unserved,omitempty"`
	Errors   []fieldError `json:"errors"`
}

type validateOutput struct {
	CRDs    []crdAnswer    `json:"crds"`
	Objects []objectAnswer `json:"objects"`
}

// kubeValidate answers `kube validate` (its one JSON argument a validateInput) with a validateOutput, as JSON.
func kubeValidate(args []string, stdout io.Writer) error {
	var input validateInput
	if err := jsonArgument("kube validate", args, &input); err != nil {
		return err
	}
	return json.NewEncoder(stdout).Encode(validateDocuments(input))
}

// validateDocuments validates each CRD, then each object against the first CRD (of crds, then definitions) that
// defines its group and kind.
func validateDocuments(input validateInput) validateOutput {
	output := validateOutput{CRDs: make([]crdAnswer, len(input.CRDs)), Objects: make([]objectAnswer, len(input.Objects))}
	definitions := map[schema.GroupKind]*definition{}
	for i, raw := range append(append([]json.RawMessage{}, input.CRDs...), input.Definitions...) {
		d, answer := readDefinition(raw, i < len(input.CRDs))
		d.index = i
		if i < len(input.CRDs) {
			output.CRDs[i] = answer
		}
		if d.crd != nil {
			gk := schema.GroupKind{Group: d.crd.Spec.Group, Kind: d.crd.Spec.Names.Kind}
			if _, seen := definitions[gk]; !seen {
				definitions[gk] = d
			}
		}
	}
	for i, raw := range input.Objects {
		output.Objects[i] = validateObject(raw, definitions)
	}
	return output
}

// definition is one CRD as the API server serves it: per version, its structural schema, its schema validator and
// its CEL validator, made at the first object of that version.
type definition struct {
	index    int
	crd      *apiextensionsv1.CustomResourceDefinition
	versions map[string]*servedVersion
}

type servedVersion struct {
	structural *structuralschema.Structural
	validator  apiservervalidation.SchemaValidator
	cel        *cel.Validator
	err        error
}

// readDefinition decodes and defaults a CRD as the API server does before validating a create; when asked, it checks
// what the API server requires of it first: its name, and each version's schema structural (apiextensions-apiserver's
// ValidateStructural; its full CRD validation is not linked: it brings the webhook clients, gRPC and tracing, twice
// the module's size). A CRD the API server would refuse still defines its kind, its errors said.
func readDefinition(raw json.RawMessage, validate bool) (*definition, crdAnswer) {
	crd := &apiextensionsv1.CustomResourceDefinition{}
	if err := json.Unmarshal(raw, crd); err != nil {
		return &definition{}, crdAnswer{Errors: []fieldError{{Type: "FieldValueInvalid", Message: err.Error()}}}
	}
	apiextensionsv1.SetObjectDefaults_CustomResourceDefinition(crd)
	answer := crdAnswer{Name: crd.Name, Errors: []fieldError{}}
	if validate {
		answer.Errors = fieldErrors(checkDefinition(crd))
	}
	return &definition{crd: crd, versions: map[string]*servedVersion{}}, answer
}

// checkDefinition: the CRD's name is `<plural>.<group>`, every version's schema is structural, and its CEL rules
// compile within the API server's cost limits (celcost.go).
func checkDefinition(crd *apiextensionsv1.CustomResourceDefinition) field.ErrorList {
	var errs field.ErrorList
	if want := crd.Spec.Names.Plural + "." + crd.Spec.Group; crd.Name != want {
		errs = append(errs, field.Invalid(field.NewPath("metadata", "name"), crd.Name, `must be spec.names.plural+"."+spec.group`))
	}
	for i, v := range crd.Spec.Versions {
		at := field.NewPath("spec", "versions").Index(i).Child("schema", "openAPIV3Schema")
		if v.Schema == nil || v.Schema.OpenAPIV3Schema == nil {
			errs = append(errs, field.Required(at, "schemas are required"))
			continue
		}
		internal := &apiextensions.CustomResourceValidation{}
		if err := apiextensionsv1.Convert_v1_CustomResourceValidation_To_apiextensions_CustomResourceValidation(v.Schema, internal, nil); err != nil {
			errs = append(errs, field.Invalid(at, nil, err.Error()))
			continue
		}
		s, err := structuralschema.NewStructural(internal.OpenAPIV3Schema)
		if err != nil {
			errs = append(errs, field.Invalid(at, nil, err.Error()))
			continue
		}
		structural := structuralschema.ValidateStructural(at, s)
		errs = append(errs, structural...)
		if len(structural) == 0 {
			errs = append(errs, celRuleErrors(at, s)...)
		}
	}
	return errs
}

// version is the served version's validators, made once.
func (d *definition) version(name string) *servedVersion {
	if v, ok := d.versions[name]; ok {
		return v
	}
	v := &servedVersion{}
	d.versions[name] = v
	val, err := apihelpers.GetSchemaForVersion(d.crd, name)
	if err != nil || val == nil {
		v.err = err
		return v
	}
	internal := &apiextensions.CustomResourceValidation{}
	if v.err = apiextensionsv1.Convert_v1_CustomResourceValidation_To_apiextensions_CustomResourceValidation(val, internal, nil); v.err != nil {
		return v
	}
	if v.validator, _, v.err = apiservervalidation.NewSchemaValidator(internal.OpenAPIV3Schema); v.err != nil {
		return v
	}
	s, err := structuralschema.NewStructural(internal.OpenAPIV3Schema)
	if err != nil {
		if !d.crd.Spec.PreserveUnknownFields {
			v.err = fmt.Errorf("its schema is not structural: %w", err)
		}
		return v
	}
	s = s.DeepCopy()
	if v.err = structuraldefaulting.PruneDefaults(s); v.err != nil {
		return v
	}
	v.structural = s
	v.cel = cel.NewValidator(s, true, celconfig.PerCallLimit)
	return v
}

func served(crd *apiextensionsv1.CustomResourceDefinition, version string) bool {
	for _, v := range crd.Spec.Versions {
		if v.Name == version {
			return v.Served
		}
	}
	return false
}

// validateObject validates one object as a create of it would be: decoded as the CRD's handler decodes it, then its
// strategy's checks.
func validateObject(raw json.RawMessage, definitions map[schema.GroupKind]*definition) objectAnswer {
	u := &unstructured.Unstructured{}
	if err := u.UnmarshalJSON(raw); err != nil {
		return objectAnswer{CRD: -1, Errors: []fieldError{{Type: "FieldValueInvalid", Message: err.Error()}}}
	}
	gvk := u.GroupVersionKind()
	d, ok := definitions[gvk.GroupKind()]
	if !ok {
		return objectAnswer{CRD: -1, Errors: []fieldError{}}
	}
	answer := objectAnswer{CRD: d.index, Errors: []fieldError{}}
	if !served(d.crd, gvk.Version) {
		answer.Unserved = true
		return answer
	}
	v := d.version(gvk.Version)
	if v.err != nil {
		answer.Errors = append(answer.Errors, fieldError{Type: "InternalError", Message: "the server could not properly serve the CR schema: " + v.err.Error()})
		return answer
	}
	namespaced := d.crd.Spec.Scope == apiextensionsv1.NamespaceScoped
	placeNamespace(u, namespaced)
	// The API server stops at the unknown fields (strict decoding fails the request); the rest is what it says
	// once they are fixed, said now as well.
	answer.Errors = append(answer.Errors, decode(u, v, d.crd.Spec.PreserveUnknownFields)...)
	answer.Errors = append(answer.Errors, fieldErrors(create(u, v, namespaced))...)
	return answer
}

// placeNamespace: what Argo CD and Flux send — a namespaced object without a namespace is applied in the destination's
// (any valid name stands for it here), a cluster-scoped one without one.
func placeNamespace(u *unstructured.Unstructured, namespaced bool) {
	switch {
	case namespaced && u.GetNamespace() == "":
		u.SetNamespace("default")
	case !namespaced:
		u.SetNamespace("")
	}
}

// decode is the CRD handler's decoding under strict field validation: every field the schema prunes is an error, as
// are unknown or malformed metadata fields; nulls the schema forbids are dropped and defaults applied.
func decode(u *unstructured.Unstructured, v *servedVersion, preserveUnknownFields bool) []fieldError {
	var unknown []string
	_, _, metaUnknown, err := schemaobjectmeta.GetObjectMetaWithOptions(u.Object, schemaobjectmeta.ObjectMetaOptions{ReturnUnknownFieldPaths: true})
	if err != nil {
		return []fieldError{{Field: "metadata", Type: "FieldValueInvalid", Message: err.Error()}}
	}
	unknown = append(unknown, metaUnknown...)
	if v.structural != nil {
		if !preserveUnknownFields {
			unknown = append(unknown, structuralpruning.PruneWithOptions(u.Object, v.structural, true, structuralschema.UnknownFieldPathOptions{TrackUnknownFieldPaths: true})...)
			structuraldefaulting.PruneNonNullableNullsWithoutDefaults(u.Object, v.structural)
		}
		ferr, paths := schemaobjectmeta.CoerceWithOptions(nil, u.Object, v.structural, false, schemaobjectmeta.CoerceOptions{ReturnUnknownFieldPaths: true})
		if ferr != nil {
			return fieldErrors(field.ErrorList{ferr})
		}
		unknown = append(unknown, paths...)
	}
	sort.Strings(unknown)
	errors := []fieldError{}
	for _, path := range unknown {
		errors = append(errors, fieldError{Field: path, Type: "FieldValueNotSupported", Message: fmt.Sprintf("unknown field %q", path)})
	}
	if v.structural != nil {
		structuraldefaulting.Default(u.Object, v.structural)
	}
	return errors
}

// create is customResourceStrategy.Validate: metadata, the schema, embedded resources, list types, then the CEL rules
// unless an earlier error blocks them.
func create(u *unstructured.Unstructured, v *servedVersion, namespaced bool) field.ErrorList {
	errs := validation.ValidateObjectMetaAccessor(u, namespaced, validation.NameIsDNSSubdomain, field.NewPath("metadata"))
	errs = append(errs, apiservervalidation.ValidateCustomResource(nil, u.UnstructuredContent(), v.validator)...)
	if v.structural == nil {
		return errs
	}
	errs = append(errs, schemaobjectmeta.Validate(nil, u.Object, v.structural, false)...)
	errs = append(errs, structurallisttype.ValidateListSetsAndMaps(nil, v.structural, u.Object)...)
	if blockingError(errs) {
		return errs // the API server adds that its CEL rules were not checked: said by the errors themselves
	}
	celErrs, _ := v.cel.Validate(context.Background(), nil, v.structural, u.Object, nil, celconfig.RuntimeCELCostBudget)
	return append(errs, celErrs...)
}

// blockingError is strategy.go's hasBlockingErr: errors after which the CEL rules are not run.
func blockingError(errs field.ErrorList) bool {
	for _, e := range errs {
		switch e.Type {
		case field.ErrorTypeNotSupported, field.ErrorTypeRequired, field.ErrorTypeTooLong, field.ErrorTypeTooMany, field.ErrorTypeTypeInvalid:
			return true
		}
	}
	return false
}

func fieldErrors(list field.ErrorList) []fieldError {
	out := make([]fieldError, 0, len(list))
	for _, e := range list {
		at, message := e.Field, e.ErrorBody()
		if at == "<nil>" {
			at = "" // the object itself
		}
		if at != "" {
			message = strings.TrimPrefix(e.Error(), at+": ")
		}
		out = append(out, fieldError{Field: at, Type: string(e.Type), Message: message})
	}
	return out
}
