// Package suggest finds the choice closest to a misspelt word, for
// did-you-mean hints in messages (configuration keys, command-line flags).
package suggest
