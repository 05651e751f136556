// Command kube-enums reads the Go source of Kubernetes' API types and prints the values each enum field takes: the
// types marked `+enum` (the marker kube-openapi's enum generator reads) with their constants, and each struct field of
// such a type, by the OpenAPI definition and JSON name the field has. Run by scripts/kube-openapi.mjs at build: stdin
// is a JSON object of a module zip's file path (`k8s.io/api@v0.35.4/core/v1/types.go`) → source; stdout is
// {"io.k8s.api.core.v1.Container": {"imagePullPolicy": ["Always", "IfNotPresent", "Never"]}, …}. Its arguments name
// further types to read as enums (`k8s.io/api/networking/v1.PathType`): ones the API server validates so, unmarked.
package main

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// A package's files, parsed, by its import path.
type packages map[string][]*ast.File

func main() {
	var sources map[string]string
	if err := json.NewDecoder(os.Stdin).Decode(&sources); err != nil {
		fail(err)
	}
	out, err := enumsOf(sources, os.Args[1:]...)
	if err != nil {
		fail(err)
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fail(err)
	}
}

// enumsOf: definition → JSON field → values, of every enum field the sources' struct types have; `unmarked` names
// types read as enums without the marker (`<import path>.<type>`).
func enumsOf(sources map[string]string, unmarked ...string) (map[string]map[string][]string, error) {
	pkgs, err := parse(sources)
	if err != nil {
		return nil, err
	}
	enums := enumValues(pkgs, unmarked)
	out := map[string]map[string][]string{}
	for importPath, files := range pkgs {
		for _, file := range files {
			for definition, fields := range enumFields(importPath, file, enums) {
				if out[definition] == nil {
					out[definition] = map[string][]string{}
				}
				for field, values := range fields {
					out[definition][field] = values
				}
			}
		}
	}
	return out, nil
}

func fail(err error) {
	os.Stderr.WriteString("kube-enums: " + err.Error() + "\n")
	os.Exit(1)
}

// parse reads each file (`<module>@<version>/<folder>/<file>.go`) into its package (`<module>/<folder>`).
func parse(sources map[string]string) (packages, error) {
	fset := token.NewFileSet()
	pkgs := packages{}
	names := make([]string, 0, len(sources))
	for name := range sources {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		module, rest, ok := strings.Cut(name, "@")
		_, folder, inside := strings.Cut(rest, "/")
		if !ok || !inside || !strings.HasSuffix(name, ".go") {
			continue
		}
		file, err := parser.ParseFile(fset, name, sources[name], parser.ParseComments)
		if err != nil {
			return nil, err
		}
		importPath := path.Dir(module + "/" + folder)
		pkgs[importPath] = append(pkgs[importPath], file)
	}
	return pkgs, nil
}

// enumValues: `<import path>.<type>` → the values of its constants, for each type marked `+enum` or named in `unmarked`.
func enumValues(pkgs packages, unmarked []string) map[string][]string {
	marked := map[string]bool{}
	for _, name := range unmarked {
		marked[name] = true
	}
	eachSpec(pkgs, token.TYPE, func(importPath string, gen *ast.GenDecl, spec ast.Spec) {
		ts := spec.(*ast.TypeSpec)
		if hasEnumMarker(gen.Doc) || hasEnumMarker(ts.Doc) {
			marked[importPath+"."+ts.Name.Name] = true
		}
	})
	values := map[string][]string{}
	eachSpec(pkgs, token.CONST, func(importPath string, _ *ast.GenDecl, spec ast.Spec) {
		vs := spec.(*ast.ValueSpec)
		for _, v := range vs.Values {
			if typ, value, ok := typedString(vs.Type, v); ok && marked[importPath+"."+typ] {
				values[importPath+"."+typ] = append(values[importPath+"."+typ], value)
			}
		}
	})
	for name, vs := range values {
		sort.Strings(vs)
		values[name] = compact(vs)
	}
	return values
}

// eachSpec calls `visit` with each spec of the packages' declarations of `tok` (types, constants).
func eachSpec(pkgs packages, tok token.Token, visit func(importPath string, gen *ast.GenDecl, spec ast.Spec)) {
	for importPath, files := range pkgs {
		for _, file := range files {
			for _, decl := range file.Decls {
				if gen, ok := decl.(*ast.GenDecl); ok && gen.Tok == tok {
					for _, spec := range gen.Specs {
						visit(importPath, gen, spec)
					}
				}
			}
		}
	}
}

// typedString reads a constant of a named string type, as k8s.io/api writes one: `X T = "v"` or `X = T("v")`.
func typedString(typ ast.Expr, value ast.Expr) (name, s string, ok bool) {
	if call, isCall := value.(*ast.CallExpr); isCall && typ == nil && len(call.Args) == 1 {
		typ, value = call.Fun, call.Args[0]
	}
	ident, isIdent := typ.(*ast.Ident)
	lit, isLit := value.(*ast.BasicLit)
	if !isIdent || !isLit || lit.Kind != token.STRING {
		return "", "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return ident.Name, s, err == nil
}

func hasEnumMarker(doc *ast.CommentGroup) bool {
	if doc == nil {
		return false
	}
	for _, c := range doc.List {
		if strings.TrimSpace(strings.TrimPrefix(c.Text, "//")) == "+enum" {
			return true
		}
	}
	return false
}

func compact(sorted []string) []string {
	out := sorted[:0]
	for i, s := range sorted {
		if i == 0 || s != sorted[i-1] {
			out = append(out, s)
		}
	}
	return out
}

// enumFields: definition → JSON field → values, for the struct fields of `file` whose type (through pointers, lists
// and maps' values) is an enum.
func enumFields(importPath string, file *ast.File, enums map[string][]string) map[string]map[string][]string {
	imports := map[string]string{}
	for _, imp := range file.Imports {
		p, _ := strconv.Unquote(imp.Path.Value)
		name := path.Base(p)
		if imp.Name != nil {
			name = imp.Name.Name
		}
		imports[name] = p
	}
	out := map[string]map[string][]string{}
	ast.Inspect(file, func(n ast.Node) bool {
		ts, ok := n.(*ast.TypeSpec)
		if !ok {
			return true
		}
		st, ok := ts.Type.(*ast.StructType)
		if !ok {
			return false
		}
		for _, field := range st.Fields.List {
			name := jsonName(field)
			if name == "" {
				continue
			}
			if values, ok := enums[typeName(field.Type, importPath, imports)]; ok {
				definition := definitionOf(importPath, ts.Name.Name)
				if out[definition] == nil {
					out[definition] = map[string][]string{}
				}
				out[definition][name] = values
			}
		}
		return false
	})
	return out
}

// jsonName is a field's name in JSON ("" for none, an inlined one, or one JSON skips).
func jsonName(field *ast.Field) string {
	if field.Tag == nil || len(field.Names) == 0 {
		return ""
	}
	tag, err := strconv.Unquote(field.Tag.Value)
	if err != nil {
		return ""
	}
	name := strings.Split(reflect.StructTag(tag).Get("json"), ",")[0]
	if name == "-" {
		return ""
	}
	return name
}

// typeName is `<import path>.<type>` of an expression, through pointers, lists and maps' values.
func typeName(expr ast.Expr, importPath string, imports map[string]string) string {
	for {
		switch t := expr.(type) {
		case *ast.StarExpr:
			expr = t.X
		case *ast.ArrayType:
			expr = t.Elt
		case *ast.MapType:
			expr = t.Value
		case *ast.Ident:
			return importPath + "." + t.Name
		case *ast.SelectorExpr:
			if pkg, ok := t.X.(*ast.Ident); ok {
				return imports[pkg.Name] + "." + t.Sel.Name
			}
			return ""
		default:
			return ""
		}
	}
}

// definitionOf names a type as the OpenAPI documents do: k8s.io/api/core/v1.Container → io.k8s.api.core.v1.Container.
func definitionOf(importPath, name string) string {
	return "io.k8s." + strings.ReplaceAll(strings.TrimPrefix(importPath, "k8s.io/"), "/", ".") + "." + name
}
