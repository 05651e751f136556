package main

// The create strategies of the eight kinds whose registry packages link the storage backends (etcd's client, through
// k8s.io/apiserver/pkg/registry/generic): what each one's PrepareForCreate and Validate do in
// k8s.io/kubernetes/pkg/registry/<group>/<resource>/strategy.go of v1.35.4, by the exported functions they call — the
// validation package's create function with the options the strategy passes, the status cleared, the generation set,
// the fields of disabled features dropped. Left out: the dropping of disabled alpha and beta fields of Service,
// Secret and ConfigMap (unexported there; no case of the test sets one), and the Pod's scheduling-gate condition,
// affinity and AppArmor mutations, which change nothing of a pod that sets none of them.

import (
	"context"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apiserver/pkg/storage/names"
	"k8s.io/kubernetes/pkg/api/legacyscheme"
	pvcutil "k8s.io/kubernetes/pkg/api/persistentvolumeclaim"
	podutil "k8s.io/kubernetes/pkg/api/pod"
	"k8s.io/kubernetes/pkg/apis/apps"
	appsvalidation "k8s.io/kubernetes/pkg/apis/apps/validation"
	"k8s.io/kubernetes/pkg/apis/batch"
	batchvalidation "k8s.io/kubernetes/pkg/apis/batch/validation"
	api "k8s.io/kubernetes/pkg/apis/core"
	"k8s.io/kubernetes/pkg/apis/core/helper/qos"
	"k8s.io/kubernetes/pkg/apis/core/validation"
)

// checked is a create strategy made of a kind's preparation and validation.
type checked struct {
	runtime.ObjectTyper
	names.NameGenerator
	namespaced bool
	prepare    func(obj runtime.Object)
	validate   func(obj runtime.Object) field.ErrorList
}

func strategyOf(namespaced bool, prepare func(runtime.Object), validate func(runtime.Object) field.ErrorList) checked {
	return checked{legacyscheme.Scheme, names.SimpleNameGenerator, namespaced, prepare, validate}
}

func (c checked) NamespaceScoped() bool { return c.namespaced }

func (c checked) PrepareForCreate(_ context.Context, obj runtime.Object) {
	if c.prepare != nil {
		c.prepare(obj)
	}
}

func (c checked) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	return c.validate(obj)
}

func (checked) WarningsOnCreate(context.Context, runtime.Object) []string { return nil }

func (checked) Canonicalize(runtime.Object) {}

var podStrategy = strategyOf(true, func(obj runtime.Object) {
	pod := obj.(*api.Pod)
	pod.Generation = 1
	pod.Status = api.PodStatus{Phase: api.PodPending, QOSClass: qos.GetPodQOS(pod)}
	podutil.DropDisabledPodFields(pod, nil)
}, func(obj runtime.Object) field.ErrorList {
	pod := obj.(*api.Pod)
	opts := podutil.GetValidationOptionsFromPodSpecAndMeta(&pod.Spec, nil, &pod.ObjectMeta, nil)
	opts.ResourceIsPod = true
	return validation.ValidatePodCreate(pod, opts)
})

var serviceStrategy = strategyOf(true, func(obj runtime.Object) {
	obj.(*api.Service).Status = api.ServiceStatus{}
}, func(obj runtime.Object) field.ErrorList {
	return validation.ValidateServiceCreate(obj.(*api.Service))
})

var configMapStrategy = strategyOf(true, nil, func(obj runtime.Object) field.ErrorList {
	return validation.ValidateConfigMap(obj.(*api.ConfigMap))
})

var secretStrategy = strategyOf(true, nil, func(obj runtime.Object) field.ErrorList {
	return validation.ValidateSecret(obj.(*api.Secret))
})

var persistentVolumeClaimStrategy = strategyOf(true, func(obj runtime.Object) {
	pvc := obj.(*api.PersistentVolumeClaim)
	pvc.Status = api.PersistentVolumeClaimStatus{}
	pvcutil.DropDisabledFields(&pvc.Spec, nil)
	pvcutil.EnforceDataSourceBackwardsCompatibility(&pvc.Spec, nil)
	pvcutil.NormalizeDataSources(&pvc.Spec)
}, func(obj runtime.Object) field.ErrorList {
	pvc := obj.(*api.PersistentVolumeClaim)
	return validation.ValidatePersistentVolumeClaim(pvc, validation.ValidationOptionsForPersistentVolumeClaim(pvc, nil))
})

var namespaceStrategy = strategyOf(false, func(obj runtime.Object) {
	ns := obj.(*api.Namespace)
	ns.Status = api.NamespaceStatus{Phase: api.NamespaceActive}
	for _, f := range ns.Spec.Finalizers {
		if f == api.FinalizerKubernetes {
			return
		}
	}
	ns.Spec.Finalizers = append(ns.Spec.Finalizers, api.FinalizerKubernetes)
}, func(obj runtime.Object) field.ErrorList {
	return validation.ValidateNamespace(obj.(*api.Namespace))
})

var replicaSetStrategy = strategyOf(true, func(obj runtime.Object) {
	rs := obj.(*apps.ReplicaSet)
	rs.Status = apps.ReplicaSetStatus{}
	rs.Generation = 1
	podutil.DropDisabledTemplateFields(&rs.Spec.Template, nil)
}, func(obj runtime.Object) field.ErrorList {
	rs := obj.(*apps.ReplicaSet)
	return appsvalidation.ValidateReplicaSet(rs, podutil.GetValidationOptionsFromPodTemplate(&rs.Spec.Template, nil))
})

// The Job's: unless spec.manualSelector, its selector is made (the controller-uid label, set on the pod template with
// the job-name labels, where the user set none), as the job strategy's generateSelector does. The feature gates of
// 1.35 that drop Job fields (JobManagedBy, JobSuccessPolicy, JobBackoffLimitPerIndex, JobPodReplacementPolicy) are
// all on by default: nothing is dropped.
var jobStrategy = strategyOf(true, func(obj runtime.Object) {
	job := obj.(*batch.Job)
	if job.Spec.ManualSelector == nil || !*job.Spec.ManualSelector {
		labels := job.Spec.Template.Labels
		if labels == nil {
			labels = map[string]string{}
		}
		for key, value := range map[string]string{
			batch.LegacyJobNameLabel:       job.Name,
			batch.JobNameLabel:             job.Name,
			batch.LegacyControllerUidLabel: string(job.UID),
			batch.ControllerUidLabel:       string(job.UID),
		} {
			if _, set := labels[key]; !set {
				labels[key] = value
			}
		}
		job.Spec.Template.Labels = labels
		if job.Spec.Selector == nil {
			job.Spec.Selector = &metav1.LabelSelector{}
		}
		if job.Spec.Selector.MatchLabels == nil {
			job.Spec.Selector.MatchLabels = map[string]string{}
		}
		if _, set := job.Spec.Selector.MatchLabels[batch.ControllerUidLabel]; !set {
			job.Spec.Selector.MatchLabels[batch.ControllerUidLabel] = string(job.UID)
		}
	}
	job.Status = batch.JobStatus{}
	job.Generation = 1
	podutil.DropDisabledTemplateFields(&job.Spec.Template, nil)
}, func(obj runtime.Object) field.ErrorList {
	job := obj.(*batch.Job)
	return batchvalidation.ValidateJob(job, batchvalidation.JobValidationOptions{
		PodValidationOptions:  podutil.GetValidationOptionsFromPodTemplate(&job.Spec.Template, nil),
		RequirePrefixedLabels: true,
	})
})
