// Command apiserver answers, for each object it reads, what kube-apiserver 1.35 answers to its create: the API
// server's own code, not a model of it. One JSON line in, {"id": "...", "object": {...}}; one JSON line out, {"id",
// "refused", "errors": [{"field", "type", "detail"}]}. Per object, as the create handler and the registry do: the
// strict JSON decoding of the legacy scheme's codecs (an unknown or duplicate field refused, as with kubectl's default
// field validation, and a value Go's decoding cannot put into the field's type), defaulting, conversion to the
// internal version, the system fields filled in (rest.FillObjectMetaSystemFields), then rest.BeforeCreate with the
// kind's create strategy (its PrepareForCreate, its Validate, the common metadata validation). The strategy is the
// registry's own (k8s.io/kubernetes/pkg/registry/<group>/<resource>) where its package links no storage backend;
// eight kinds' packages link etcd's client through k8s.io/apiserver/pkg/registry/generic, and for those ./checked.go
// calls what their strategy calls. Admission and storage are not run. The test that drives it:
// test/gitops/kubernetes/apiserver-differential.test.ts.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/kubernetes/pkg/api/legacyscheme"

	_ "k8s.io/kubernetes/pkg/apis/apps/install"
	_ "k8s.io/kubernetes/pkg/apis/autoscaling/install"
	_ "k8s.io/kubernetes/pkg/apis/batch/install"
	_ "k8s.io/kubernetes/pkg/apis/core/install"
	_ "k8s.io/kubernetes/pkg/apis/networking/install"
	_ "k8s.io/kubernetes/pkg/apis/policy/install"
	_ "k8s.io/kubernetes/pkg/apis/rbac/install"

	"k8s.io/kubernetes/pkg/registry/apps/daemonset"
	"k8s.io/kubernetes/pkg/registry/apps/deployment"
	"k8s.io/kubernetes/pkg/registry/apps/statefulset"
	"k8s.io/kubernetes/pkg/registry/autoscaling/horizontalpodautoscaler"
	"k8s.io/kubernetes/pkg/registry/batch/cronjob"
	"k8s.io/kubernetes/pkg/registry/core/serviceaccount"
	"k8s.io/kubernetes/pkg/registry/networking/ingress"
	"k8s.io/kubernetes/pkg/registry/networking/networkpolicy"
	"k8s.io/kubernetes/pkg/registry/policy/poddisruptionbudget"
	"k8s.io/kubernetes/pkg/registry/rbac/clusterrole"
	"k8s.io/kubernetes/pkg/registry/rbac/clusterrolebinding"
	"k8s.io/kubernetes/pkg/registry/rbac/role"
	"k8s.io/kubernetes/pkg/registry/rbac/rolebinding"
)

// The create strategy of each kind, by its served group/version/kind.
var strategies = map[schema.GroupVersionKind]rest.RESTCreateStrategy{
	{Version: "v1", Kind: "Pod"}:                                                    podStrategy,
	{Version: "v1", Kind: "Service"}:                                                serviceStrategy,
	{Version: "v1", Kind: "ConfigMap"}:                                              configMapStrategy,
	{Version: "v1", Kind: "Secret"}:                                                 secretStrategy,
	{Version: "v1", Kind: "ServiceAccount"}:                                         serviceaccount.Strategy,
	{Version: "v1", Kind: "PersistentVolumeClaim"}:                                  persistentVolumeClaimStrategy,
	{Version: "v1", Kind: "Namespace"}:                                              namespaceStrategy,
	{Group: "apps", Version: "v1", Kind: "Deployment"}:                              deployment.Strategy,
	{Group: "apps", Version: "v1", Kind: "StatefulSet"}:                             statefulset.Strategy,
	{Group: "apps", Version: "v1", Kind: "DaemonSet"}:                               daemonset.Strategy,
	{Group: "apps", Version: "v1", Kind: "ReplicaSet"}:                              replicaSetStrategy,
	{Group: "batch", Version: "v1", Kind: "Job"}:                                    jobStrategy,
	{Group: "batch", Version: "v1", Kind: "CronJob"}:                                cronjob.Strategy,
	{Group: "networking.k8s.io", Version: "v1", Kind: "Ingress"}:                    ingress.Strategy,
	{Group: "networking.k8s.io", Version: "v1", Kind: "NetworkPolicy"}:              networkpolicy.Strategy,
	{Group: "policy", Version: "v1", Kind: "PodDisruptionBudget"}:                   poddisruptionbudget.Strategy,
	{Group: "autoscaling", Version: "v2", Kind: "HorizontalPodAutoscaler"}:          horizontalpodautoscaler.Strategy,
	{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "Role"}:               role.Strategy,
	{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "RoleBinding"}:        rolebinding.Strategy,
	{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "ClusterRole"}:        clusterrole.Strategy,
	{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "ClusterRoleBinding"}: clusterrolebinding.Strategy,
}

type input struct {
	ID     string          `json:"id"`
	Object json.RawMessage `json:"object"`
}

type fieldError struct {
	Field  string `json:"field"`
	Type   string `json:"type"`
	Detail string `json:"detail"`
}

type output struct {
	ID      string       `json:"id"`
	Refused bool         `json:"refused"`
	Errors  []fieldError `json:"errors"`
}

func main() {
	info, ok := runtime.SerializerInfoForMediaType(legacyscheme.Codecs.SupportedMediaTypes(), runtime.ContentTypeJSON)
	if !ok || info.StrictSerializer == nil {
		fmt.Fprintln(os.Stderr, "no strict JSON serializer in the legacy scheme's codecs")
		os.Exit(2)
	}
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 0, 1<<20), 64<<20)
	out := json.NewEncoder(os.Stdout)
	for in.Scan() {
		var line input
		if err := json.Unmarshal(in.Bytes(), &line); err != nil {
			fmt.Fprintf(os.Stderr, "not a JSON line of {id, object}: %v\n", err)
			os.Exit(2)
		}
		errs := create(info.StrictSerializer, line.Object)
		if errs == nil {
			errs = []fieldError{}
		}
		if err := out.Encode(output{ID: line.ID, Refused: len(errs) > 0, Errors: errs}); err != nil {
			os.Exit(2)
		}
	}
	if err := in.Err(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
}

// create is what the API server refuses of body on its create, or nothing.
func create(strict runtime.Serializer, body []byte) []fieldError {
	var head struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
	}
	_ = json.Unmarshal(body, &head)
	gv, err := schema.ParseGroupVersion(head.APIVersion)
	if err != nil {
		return []fieldError{{Type: "Decode", Detail: err.Error()}}
	}
	gvk := gv.WithKind(head.Kind)
	strategy, ok := strategies[gvk]
	if !ok {
		return []fieldError{{Type: "Unsupported", Detail: fmt.Sprintf("no strategy for %s here", gvk)}}
	}
	// The create handler's decoder: the strict serializer, decoded into the internal version (hub) of the group,
	// defaulted and converted on the way (handlers/create.go: scope.Serializer.DecoderToVersion(s.StrictSerializer,
	// scope.HubGroupVersion)). A strict decoding error (unknown, duplicate field) refuses the request under
	// fieldValidation=Strict, kubectl's default.
	decoder := legacyscheme.Codecs.DecoderToVersion(strict, schema.GroupVersion{Group: gv.Group, Version: runtime.APIVersionInternal})
	obj, _, err := decoder.Decode(body, &gvk, nil)
	if err != nil {
		if strictErr, ok := runtime.AsStrictDecodingError(err); ok {
			errs := []fieldError{}
			for _, e := range strictErr.Errors() {
				errs = append(errs, fieldError{Type: "StrictDecoding", Detail: e.Error()})
			}
			return errs
		}
		return []fieldError{{Type: "Decode", Detail: err.Error()}}
	}
	objectMeta, err := meta.Accessor(obj)
	if err != nil {
		return []fieldError{{Type: "Decode", Detail: err.Error()}}
	}
	// The request's namespace: the object's, else kubectl's default.
	ns := ""
	if strategy.NamespaceScoped() {
		ns = objectMeta.GetNamespace()
		if ns == "" {
			ns = "default"
		}
	}
	rest.FillObjectMetaSystemFields(objectMeta)
	if len(objectMeta.GetGenerateName()) > 0 && len(objectMeta.GetName()) == 0 {
		objectMeta.SetName(strategy.GenerateName(objectMeta.GetGenerateName()))
	}
	// The request's path, as the handler chain puts it in the context: declarative validation reads the served
	// version from it.
	resource, _ := meta.UnsafeGuessKindToResource(gvk)
	ctx := genericapirequest.WithRequestInfo(genericapirequest.WithNamespace(context.Background(), ns), &genericapirequest.RequestInfo{
		IsResourceRequest: true,
		Verb:              "create",
		APIPrefix:         map[bool]string{true: "api", false: "apis"}[gv.Group == ""],
		APIGroup:          gv.Group,
		APIVersion:        gv.Version,
		Namespace:         ns,
		Resource:          resource.Resource,
		Name:              objectMeta.GetName(),
	})
	if err := rest.BeforeCreate(strategy, ctx, obj); err != nil {
		var status apierrors.APIStatus
		if s, ok := err.(apierrors.APIStatus); ok {
			status = s
		}
		if status == nil || status.Status().Details == nil || len(status.Status().Details.Causes) == 0 {
			return []fieldError{{Type: "Refused", Detail: err.Error()}}
		}
		errs := []fieldError{}
		for _, c := range status.Status().Details.Causes {
			errs = append(errs, fieldError{Field: c.Field, Type: string(c.Type), Detail: c.Message})
		}
		return errs
	}
	return nil
}
