// Command actionlint lints GitHub Actions workflow files with actionlint,
// the library (github.com/rhysd/actionlint). It lives in a module of its
// own because actionlint and compose-go need different pre-releases of
// go.yaml.in/yaml/v4; cmd/composefix's documentation test runs it.
package main

import (
	"fmt"
	"os"

	"github.com/rhysd/actionlint"
)

func main() {
	l, err := actionlint.NewLinter(os.Stdout, &actionlint.LinterOptions{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	errs, err := l.LintFiles(os.Args[1:], nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if len(errs) > 0 {
		os.Exit(1)
	}
}
