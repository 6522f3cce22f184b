// Verifies cert.pem against ca.pem for a server name the way Go's TLS client does.
// Usage: go run verify.go CA CERT NAME...
package main

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
)

func main() {
	caPem, err := os.ReadFile(os.Args[1])
	if err != nil {
		panic(err)
	}
	certPem, err := os.ReadFile(os.Args[2])
	if err != nil {
		panic(err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(caPem) {
		fmt.Println("bad CA")
		os.Exit(1)
	}
	block, _ := pem.Decode(certPem)
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		panic(err)
	}
	for _, name := range os.Args[3:] {
		_, err := cert.Verify(x509.VerifyOptions{Roots: roots, DNSName: name, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
		if err != nil {
			fmt.Println("FAIL", name, err)
			os.Exit(1)
		}
		fmt.Println("ok", name)
	}
}
