// Package regtest starts registries for tests and fills them: the
// in-process registry of go-containerregistry and the real distribution
// registry (Debian's docker-registry). Only tests import it; every server
// listens on 127.0.0.1.
package regtest
