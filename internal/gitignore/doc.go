// Package gitignore is go-git's gitignore pattern matcher
// (github.com/go-git/go-git/v5 v5.19.3, plumbing/format/gitignore):
// pattern.go and matcher.go copied unchanged, its tests kept as
// gitignore_test.go.
//
// Why a copy: that package also reads git configuration
// (core.excludesFile, through go-git's gcfg parser), which imports
// encoding/gob, go-billy and more, and their package initialisation ran in
// every composefix process, --version included (encoding/gob alone about
// 0.14 ms, issue 14's startup target). composefix uses only ParsePattern
// and NewMatcher, which depend on the standard library; package ignore
// finds and reads the .gitignore files itself.
//
// go-git is licensed under the Apache License, Version 2.0
// (https://www.apache.org/licenses/LICENSE-2.0), as composefix is;
// Copyright the go-git authors (https://github.com/go-git/go-git).
// To update: copy the two files from a newer go-git and rerun the tests.
package gitignore
