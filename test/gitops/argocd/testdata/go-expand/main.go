// Argo CD's Env.Envsubst, as argo-cd v3.5.1 writes it (pkg/apis/application/v1alpha1/types.go) over Go's os.Expand,
// for each text of a JSON array on stdin, with the environment of the JSON object in argv[1]; a JSON array out.
package main

import (
	"encoding/json"
	"os"
)

func envsubst(valByEnv map[string]string, s string) string {
	return os.Expand(s, func(s string) string {
		// allow escaping $ with $$
		if s == "$" {
			return "$"
		}
		return valByEnv[s]
	})
}

func main() {
	var env map[string]string
	if err := json.Unmarshal([]byte(os.Args[1]), &env); err != nil {
		panic(err)
	}
	var texts []string
	if err := json.NewDecoder(os.Stdin).Decode(&texts); err != nil {
		panic(err)
	}
	out := make([]string, len(texts))
	for i, t := range texts {
		out[i] = envsubst(env, t)
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		panic(err)
	}
}
