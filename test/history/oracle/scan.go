package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/argoproj/argo-cd/gitops-engine/pkg/utils/kube"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Doc is one YAML document of the revision and the file that holds it.
type Doc struct {
	File string
	Obj  *unstructured.Unstructured
}

// scan reads every .yaml/.yml file of the revision (not under .git) that parses as Kubernetes objects; a file that
// does not (a Helm template, a values file) holds no Application and is skipped, as no controller would apply it.
func scan(dir string) []Doc {
	var docs []Doc
	_ = filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if e.IsDir() {
			if e.Name() == ".git" {
				return filepath.SkipDir
			}
			return nil
		}
		if ext := filepath.Ext(p); ext != ".yaml" && ext != ".yml" {
			return nil
		}
		text, err := os.ReadFile(p)
		if err != nil {
			return nil
		}
		objs, err := kube.SplitYAML(text)
		if err != nil {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		for _, o := range objs {
			docs = append(docs, Doc{File: filepath.ToSlash(rel), Obj: o})
		}
		return nil
	})
	sort.SliceStable(docs, func(i, j int) bool { return docs[i].File < docs[j].File })
	return docs
}

func group(o *unstructured.Unstructured) string {
	gv := o.GetAPIVersion()
	if i := strings.Index(gv, "/"); i >= 0 {
		return gv[:i]
	}
	return ""
}

func isKind(o *unstructured.Unstructured, g, kind string) bool {
	return o != nil && group(o) == g && o.GetKind() == kind
}

// clusterScoped: the kinds the suite's repositories render that a cluster serves without a namespace (Argo CD asks
// the cluster's discovery; there is no cluster here).
var clusterScoped = map[string]bool{
	"Namespace": true, "ClusterRole": true, "ClusterRoleBinding": true, "CustomResourceDefinition": true,
	"ClusterIssuer": true, "StorageClass": true, "PriorityClass": true, "PersistentVolume": true,
	"ValidatingWebhookConfiguration": true, "MutatingWebhookConfiguration": true, "APIService": true,
	"GatewayClass": true, "IngressClass": true, "ClusterPolicy": true, "NodePool": true, "EC2NodeClass": true,
	"ClusterSecretStore": true, "PodSecurityPolicy": true, "RuntimeClass": true, "CSIDriver": true,
	"VolumeSnapshotClass": true, "ProviderConfig": true, "Provider": true, "Configuration": true,
	"CompositeResourceDefinition": true, "Composition": true, "ClusterTriggerAuthentication": true,
	// OpenShift's console.openshift.io kinds (`oc api-resources`: consoleplugins, consolelinks … NAMESPACED false).
	"ConsolePlugin": true, "ConsoleLink": true, "ConsoleNotification": true, "ConsoleCLIDownload": true,
	"ConsoleYAMLSample": true, "ConsoleQuickStart": true,
}

// clusterScopedGroup: the groups whose every kind is cluster-scoped — Crossplane's managed resources of the Upbound
// providers (`s3.aws.upbound.io`, `iam.aws.upbound.io`, …; their CRDs say `scope: Cluster`), but for Crossplane v2's
// namespaced ones (`*.m.upbound.io`).
func clusterScopedGroup(g string) bool {
	return strings.HasSuffix(g, ".upbound.io") && !strings.HasSuffix(g, ".m.upbound.io")
}

func objectOf(o *unstructured.Unstructured, namespace string) Object {
	ns := o.GetNamespace()
	if ns == "" && !clusterScoped[o.GetKind()] && !clusterScopedGroup(group(o)) {
		ns = namespace
	}
	return Object{APIVersion: o.GetAPIVersion(), Kind: o.GetKind(), Namespace: ns, Name: o.GetName(), Body: o.Object}
}
