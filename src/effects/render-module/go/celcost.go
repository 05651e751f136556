//go:build !js

package main

// What the API server says of a new CRD's CEL rules (x-kubernetes-validations) before it accepts it, as
// apiextensions-apiserver's CRD validation does it (pkg/apis/apiextensions/validation: validation.go's rules part and
// cel_validation.go's CELSchemaContext; that package is not linked, its webhook clients would double the helper): each
// rule compiled as a new expression over the type information the API server derives (the root's, then each
// property's, item's and value's), its estimated cost times the number of times it may run held to the per-rule
// limit, and their sum to the per-CRD limit. TestCatalogCRDs holds it to that package over the built-in catalog.

import (
	"fmt"
	"math"
	"sort"

	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel/model"
	"k8s.io/apimachinery/pkg/util/validation/field"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	apiservercel "k8s.io/apiserver/pkg/cel"
	"k8s.io/apiserver/pkg/cel/environment"
)

// The API server's limits (validation.go's StaticEstimatedCostLimit and StaticEstimatedCRDCostLimit).
const (
	ruleCostLimit uint64 = 10000000
	crdCostLimit  uint64 = 100000000
)

type celTypeInfo struct {
	schema   *structuralschema.Structural
	declType *apiservercel.DeclType
}

// celRules walks one version's structural schema as the API server's CELSchemaContext does.
type celRules struct {
	envSet *environment.EnvSet
	total  uint64
	errs   field.ErrorList
}

// celRuleErrors: the API server's errors for the CEL rules of a version's schema (at: its openAPIV3Schema).
func celRuleErrors(at *field.Path, s *structuralschema.Structural) field.ErrorList {
	r := &celRules{envSet: environment.MustBaseEnvSet(environment.DefaultCompatibilityVersion())}
	one := uint64(1)
	r.walk(at, s, nil, nil, true, false, &one)
	if r.total > crdCostLimit {
		r.errs = append(r.errs, field.Forbidden(at, costMessage("x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema", r.total, crdCostLimit)))
	}
	return r.errs
}

// walk checks a node's rules, then its children's; parent is the type information of a node within a rule's scope
// (nil outside), access what of it is this node's; cardinality is nil when unbounded.
func (r *celRules) walk(at *field.Path, s *structuralschema.Structural, parent *celTypeInfo, access func(*celTypeInfo) *celTypeInfo, root, inScope bool, cardinality *uint64) {
	inScope = inScope || len(s.XValidations) > 0
	var info *celTypeInfo
	if inScope {
		if parent != nil && access != nil {
			info = access(parent)
		}
		if info == nil {
			if declType := model.SchemaDeclType(s, root || s.XEmbeddedResource); declType != nil {
				info = &celTypeInfo{schema: s, declType: declType}
			}
		}
	}
	if len(s.XValidations) > 0 && info != nil {
		r.compile(at.Child("x-kubernetes-validations"), info, cardinality)
	}
	child := childCardinality(s, cardinality)
	names := make([]string, 0, len(s.Properties))
	for name := range s.Properties {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		p := s.Properties[name]
		r.walk(at.Child("properties").Key(name), &p, info, propertyInfo(name), false, inScope, child)
	}
	if s.Items != nil {
		r.walk(at.Child("items"), s.Items, info, itemsInfo, false, inScope, child)
	}
	if s.AdditionalProperties != nil && s.AdditionalProperties.Structural != nil {
		r.walk(at.Child("additionalProperties"), s.AdditionalProperties.Structural, info, valuesInfo, false, inScope, child)
	}
}

// compile compiles the node's rules as new expressions and holds each to its limits, as validation.go does.
func (r *celRules) compile(at *field.Path, info *celTypeInfo, cardinality *uint64) {
	results, err := cel.Compile(info.schema, info.declType, celconfig.PerCallLimit, r.envSet, cel.NewExpressionsEnvLoader())
	if err != nil {
		r.errs = append(r.errs, field.InternalError(at, err))
		return
	}
	for i, cr := range results {
		cost := multiply(cr.MaxCost, cr.MaxCardinality)
		if cardinality != nil {
			cost = multiply(cr.MaxCost, *cardinality)
		}
		if cost > ruleCostLimit {
			r.errs = append(r.errs, field.Forbidden(at.Index(i).Child("rule"), costMessage("estimated rule cost", cost, ruleCostLimit)))
		}
		r.total = add(r.total, cost)
		if cr.Error != nil {
			if cr.Error.Type == apiservercel.ErrorTypeRequired {
				r.errs = append(r.errs, field.Required(at.Index(i).Child("rule"), cr.Error.Detail))
			} else {
				r.errs = append(r.errs, field.Invalid(at.Index(i).Child("rule"), info.schema.XValidations[i].Rule, cr.Error.Detail))
			}
		}
		if cr.MessageExpressionError != nil {
			r.errs = append(r.errs, field.Invalid(at.Index(i).Child("messageExpression"), info.schema.XValidations[i].MessageExpression, cr.MessageExpressionError.Detail))
		} else if cr.MessageExpression != nil {
			if cr.MessageExpressionMaxCost > ruleCostLimit {
				r.errs = append(r.errs, field.Forbidden(at.Index(i).Child("messageExpression"), costMessage("estimated messageExpression cost", cr.MessageExpressionMaxCost, ruleCostLimit)))
			}
			r.total = add(r.total, cr.MessageExpressionMaxCost)
		}
	}
}

func propertyInfo(name string) func(*celTypeInfo) *celTypeInfo {
	return func(parent *celTypeInfo) *celTypeInfo {
		if parent.schema.Properties == nil {
			return nil
		}
		p := parent.schema.Properties[name]
		escaped, ok := apiservercel.Escape(name)
		if !ok {
			return nil
		}
		if f, ok := parent.declType.Fields[escaped]; ok {
			return &celTypeInfo{schema: &p, declType: f.Type}
		}
		return nil
	}
}

func itemsInfo(parent *celTypeInfo) *celTypeInfo {
	if parent.schema.Items == nil {
		return nil
	}
	return &celTypeInfo{schema: parent.schema.Items, declType: parent.declType.ElemType}
}

func valuesInfo(parent *celTypeInfo) *celTypeInfo {
	if parent.schema.AdditionalProperties == nil {
		return nil
	}
	return &celTypeInfo{schema: parent.schema.AdditionalProperties.Structural, declType: parent.declType.ElemType}
}

// childCardinality: how many times a child of s may occur (nil: unbounded), as cel_validation.go's childContext.
func childCardinality(s *structuralschema.Structural, cardinality *uint64) *uint64 {
	if cardinality == nil {
		return nil
	}
	var most *int64
	switch s.Type {
	case "object":
		if s.AdditionalProperties == nil {
			return cardinality
		}
		if s.ValueValidation != nil {
			most = s.ValueValidation.MaxProperties
		}
	case "array":
		if s.ValueValidation != nil {
			most = s.ValueValidation.MaxItems
		}
	default:
		return cardinality
	}
	if most == nil {
		return nil
	}
	n := multiply(*cardinality, uint64(max(*most, 0)))
	return &n
}

func multiply(a, b uint64) uint64 {
	if a != 0 && b > math.MaxUint64/a {
		return math.MaxUint64
	}
	return a * b
}

func add(a, b uint64) uint64 {
	if math.MaxUint64-a < b {
		return math.MaxUint64
	}
	return a + b
}

// costMessage is validation.go's getCostErrorMessage.
func costMessage(what string, cost, limit uint64) string {
	factor := float64(cost) / float64(limit)
	var by string
	switch {
	case factor > 100.0:
		by = "more than 100x"
	case factor < 1.5:
		by = fmt.Sprintf("%fx", factor)
	default:
		by = fmt.Sprintf("%.1fx", factor)
	}
	return fmt.Sprintf("%s exceeds budget by factor of %s (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)", what, by)
}
