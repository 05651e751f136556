package main

// truth: every deployable of the revision, Argo CD's then Flux's.
func truth(req Request) Answer {
	docs := scan(req.Dir)
	var ans Answer
	ans.Deployables = append(ans.Deployables, argo(req, docs)...)
	ans.Deployables = append(ans.Deployables, flux(req, docs)...)
	return ans
}
