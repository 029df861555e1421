// Package e2e decides, for tests, what happens when a program an
// end-to-end test needs (git, patch, docker-registry, goreleaser) is not
// installed: the test skips with a message saying how to install it,
// unless COMPOSEFIX_E2E=1 (set by .ci/run), where it fails instead. It
// starts nothing itself; internal/regtest starts registries.
package e2e
