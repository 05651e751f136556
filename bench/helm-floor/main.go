package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"

	"helm.sh/helm/v4/pkg/action"
	"helm.sh/helm/v4/pkg/chart/common"
	"helm.sh/helm/v4/pkg/chart/loader"
	"helm.sh/helm/v4/pkg/cli/values"
	"helm.sh/helm/v4/pkg/getter"
	release "helm.sh/helm/v4/pkg/release/v1"
)

type job struct {
	Chart     string   `json:"chart"`
	Release   string   `json:"release"`
	Namespace string   `json:"namespace"`
	Values    []string `json:"values"`
	Kube      string   `json:"kube"`
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	n, bytes := 0, 0
	for in.Scan() {
		var j job
		if err := json.Unmarshal(in.Bytes(), &j); err != nil {
			panic(err)
		}
		ch, err := loader.Load(j.Chart)
		if err != nil {
			panic(err)
		}
		vals, err := (&values.Options{ValueFiles: j.Values}).MergeValues(getter.Providers{})
		if err != nil {
			panic(err)
		}
		client := action.NewInstall(action.NewConfiguration())
		client.DryRunStrategy = action.DryRunClient
		client.Replace = true
		client.ReleaseName = j.Release
		client.Namespace = j.Namespace
		kv, err := common.ParseKubeVersion(j.Kube)
		if err != nil {
			panic(err)
		}
		client.KubeVersion = kv
		r, err := client.Run(ch, vals)
		if err != nil {
			panic(err)
		}
		n++
		bytes += len(r.(*release.Release).Manifest)
	}
	fmt.Printf("%d %d\n", n, bytes)
}
