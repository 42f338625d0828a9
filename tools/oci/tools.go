//go:build tools

// Package tools records what this module builds for the registry tests:
// crane (a second OCI client) and the OCI distribution-spec conformance suite
// (a Go test binary, built with `go test -c`).
package tools

import (
	_ "github.com/google/go-containerregistry/cmd/crane"
	_ "github.com/opencontainers/distribution-spec/conformance"
)
