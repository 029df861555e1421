package main

import (
	"io"
	"slices"
	"testing"

	"github.com/urfave/cli/v2"
)

// TestCachedNamesKeepsFlags checks that a wrapped flag is the flag to
// urfave/cli: the same names, help line and interfaces, for every flag of
// the default command and of update.
func TestCachedNamesKeepsFlags(t *testing.T) {
	raw := fixFlags()
	for _, c := range newApp(nil, io.Discard, io.Discard, hooks{}).Commands {
		if c.Name == "update" {
			raw = append(raw, c.Flags...) // already wrapped: wrapping again must change nothing
		}
	}
	for i, f := range cachedNames(raw) {
		r := raw[i]
		name := r.Names()[0]
		if !slices.Equal(f.Names(), r.Names()) {
			t.Errorf("--%s: Names() = %q, want %q", name, f.Names(), r.Names())
		}
		if got, want := cli.FlagStringer(f), cli.FlagStringer(r); got != want {
			t.Errorf("--%s: help line %q, want %q", name, got, want)
		}
		for _, iface := range []struct {
			name string
			is   func(cli.Flag) bool
		}{
			{"DocGenerationFlag", func(f cli.Flag) bool { _, ok := f.(cli.DocGenerationFlag); return ok }},
			{"DocGenerationSliceFlag", func(f cli.Flag) bool { _, ok := f.(cli.DocGenerationSliceFlag); return ok }},
			{"VisibleFlag", func(f cli.Flag) bool { _, ok := f.(cli.VisibleFlag); return ok }},
			{"CategorizableFlag", func(f cli.Flag) bool { _, ok := f.(cli.CategorizableFlag); return ok }},
			{"RequiredFlag", func(f cli.Flag) bool { _, ok := f.(cli.RequiredFlag); return ok }},
			{"ActionableFlag", func(f cli.Flag) bool { _, ok := f.(cli.ActionableFlag); return ok }},
		} {
			if iface.is(f) != iface.is(r) {
				t.Errorf("--%s: implements %s: %v, want %v", name, iface.name, iface.is(f), iface.is(r))
			}
		}
	}
}

// TestFlagNamesAsUrfave: the names computed without urfave/cli's regular
// expression are its names, v1-style "name, alias" included.
func TestFlagNamesAsUrfave(t *testing.T) {
	tests := []struct {
		name    string
		aliases []string
	}{
		{"write", []string{"w"}},
		{"check", nil},
		{"cache-dir", []string{}},
		{"f, file", nil},
		{"select", []string{"s x", "t"}},
		{"a,b", []string{"c"}},
	}
	for _, tt := range tests {
		if got, want := flagNames(tt.name, tt.aliases), cli.FlagNames(tt.name, tt.aliases); !slices.Equal(got, want) {
			t.Errorf("flagNames(%q, %q) = %q, want %q", tt.name, tt.aliases, got, want)
		}
		got := cachedNames([]cli.Flag{&cli.StringFlag{Name: tt.name, Aliases: tt.aliases}})[0].Names()
		if want := cli.FlagNames(tt.name, tt.aliases); !slices.Equal(got, want) {
			t.Errorf("cachedNames: --%s: Names() = %q, want %q", tt.name, got, want)
		}
	}
}
