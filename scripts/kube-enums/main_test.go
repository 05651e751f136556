package main

import (
	"reflect"
	"testing"
)

// The shapes k8s.io/api writes: a `+enum` type with its constants (one of another type between them; `X = T("v")`), fields of it
// directly, through a pointer, a list and a map, one of another package's enum, an unmarked type's field left out
// unless it is named.
func TestEnumFields(t *testing.T) {
	sources := map[string]string{
		"k8s.io/api@v0.35.4/core/v1/types.go": `package v1

// PullPolicy describes a policy for if/when to pull a container image
// +enum
type PullPolicy string

const (
	PullAlways       PullPolicy = "Always"
	PullNever        PullPolicy = "Never"
	NotAPolicy       string     = "Sometimes"
	PullIfNotPresent PullPolicy = "IfNotPresent"
)

// +enum
type Protocol string

const ProtocolTCP Protocol = "TCP"
const ProtocolUDP Protocol = "UDP"

type Plain string

const PlainA Plain = "a"

type Named string

const (
	NamedA       = Named("a")
	NamedB Named = "b"
)

type Container struct {
	Name            string                ` + "`json:\"name\"`" + `
	ImagePullPolicy PullPolicy            ` + "`json:\"imagePullPolicy,omitempty\"`" + `
	Policy          *PullPolicy           ` + "`json:\"policy,omitempty\"`" + `
	Protocols       []Protocol            ` + "`json:\"protocols,omitempty\"`" + `
	ByName          map[string]Protocol   ` + "`json:\"byName,omitempty\"`" + `
	Plain           Plain                 ` + "`json:\"plain,omitempty\"`" + `
	Named           Named                 ` + "`json:\"named,omitempty\"`" + `
	Skipped         PullPolicy            ` + "`json:\"-\"`" + `
}
`,
		"k8s.io/api@v0.35.4/apps/v1/types.go": `package v1

import corev1 "k8s.io/api/core/v1"

type Port struct {
	Protocol corev1.Protocol ` + "`json:\"protocol\"`" + `
}
`,
	}
	got, err := enumsOf(sources, "k8s.io/api/core/v1.Named")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string][]string{
		"io.k8s.api.core.v1.Container": {
			"imagePullPolicy": {"Always", "IfNotPresent", "Never"},
			"policy":          {"Always", "IfNotPresent", "Never"},
			"protocols":       {"TCP", "UDP"},
			"byName":          {"TCP", "UDP"},
			"named":           {"a", "b"},
		},
		"io.k8s.api.apps.v1.Port": {"protocol": {"TCP", "UDP"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}
