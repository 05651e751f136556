// A registry on loopback that serves the OCI 1.1 referrers API, for the tests of cosign 3's bundles stored as
// referrers: go-containerregistry's in-memory registry (pkg/registry) with referrers support on. Debian's
// docker-registry (distribution 2.8) has no referrers API, so between the two the suites see both kinds.
//
//	referrers-registry -addr 127.0.0.1:0    prints "listening on 127.0.0.1:PORT", then serves
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"time"

	"github.com/google/go-containerregistry/pkg/registry"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on (loopback only)")
	flag.Parse()
	listener, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	if host, _, _ := net.SplitHostPort(listener.Addr().String()); !net.ParseIP(host).IsLoopback() {
		log.Fatalf("refusing to listen on %s: loopback only", host)
	}
	handler := registry.New(registry.WithReferrersSupport(true), registry.Logger(log.New(io.Discard, "", 0)))
	fmt.Printf("listening on %s\n", listener.Addr())
	server := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(server.Serve(listener))
}
