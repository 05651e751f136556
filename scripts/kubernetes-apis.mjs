// The built-in Kubernetes APIs' table (dist/kubernetes/apis.json, read by src/gitops/kubernetes/apis.ts): what each
// kind at each group version declares of its release lifecycle in k8s.io/api's generated code
// (src/effects/render-module/go/kubeapis). It is run twice by scripts/build-wasm.mjs: with the render module's build
// list (the k8s.io/api its Helm and kustomize link) and with kubeapis/newest.go.mod (the newest release, which knows the
// minors the window last gained). The two are merged here: a kind both define takes the newest's lifecycle (a
// deprecation moved, a replacement named); a kind only the older defines (its type deleted after its removal:
// autoscaling/v2beta2) is kept, so a manifest using it is still told when it was removed and what replaces it.

/** `group/version/Kind`. */
const keyOf = (api) => `${api.group}/${api.version}/${api.kind}`

/** The two tables as one, sorted as kubeapis sorts (by key), in kubeapis' JSON form. */
export function mergeApiTables(older, newest) {
  const merged = new Map(older.map((api) => [keyOf(api), api]))
  for (const api of newest) merged.set(keyOf(api), api)
  const apis = [...merged.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, api]) => api)
  return `${JSON.stringify(apis, null, 1)}\n`
}

/** The table: kubeapis run in `dir` with the workspace's build list (`run`) and with newest.go.mod (`runAlone`). */
export function kubernetesApis(run, runAlone, dir) {
  const older = JSON.parse(run(dir, ['run', './kubeapis']))
  const newest = JSON.parse(runAlone(dir, ['run', '-modfile=kubeapis/newest.go.mod', './kubeapis']))
  return mergeApiTables(older, newest)
}
