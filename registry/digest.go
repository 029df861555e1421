package registry

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Every digest composefix trusts is computed here from bytes it holds, and
// every comparison with a digest a registry or a file named goes through
// checkDigest: one place decides what "these bytes are that digest" means.

// digestOf is the sha256 digest of b.
func digestOf(b []byte) v1.Hash {
	sum := sha256.Sum256(b)
	return v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(sum[:])}
}

// digestSum is the digest a sha256 hasher fed with streamed bytes reached.
func digestSum(h hash.Hash) v1.Hash {
	return v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(h.Sum(nil))}
}

// checkDigest says, as ErrDigestMismatch, when content that should be
// want (what names it: "blob", "layer") hashed to got.
func checkDigest(what string, want, got v1.Hash) error {
	if got != want {
		return fmt.Errorf("%s %s: content hashes to %s: %w", what, want, got, ErrDigestMismatch)
	}
	return nil
}
