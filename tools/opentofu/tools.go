//go:build tools

// Package tools records the binaries this module builds, so `go mod tidy`
// keeps their dependencies in go.sum.
package tools

import _ "github.com/opentofu/opentofu/cmd/tofu"
