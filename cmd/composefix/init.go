package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/composefix/composefix/config"
	"github.com/composefix/composefix/pipeline"
	"github.com/urfave/cli/v2"
)

// initCommand is `composefix init`: write the commented default
// configuration, which changes nothing until a line is uncommented.
func initCommand(out io.Writer) *cli.Command {
	return &cli.Command{
		Name:  "init",
		Usage: "write a commented default " + config.FileName + " (every key commented out)",
		Description: "Writes " + config.FileName + " in the working directory, or the file named with --config\n" +
			"(- for stdout). An existing file is kept unless --force is given.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "config", Usage: "the file to write, - for stdout (default: " + config.FileName + " in the working directory)"},
			&cli.BoolFlag{Name: "force", Usage: "overwrite an existing file"},
		},
		Action: func(c *cli.Context) error {
			// It writes a file: an interrupt waits for the write to end, as
			// in the commands that fix files.
			_, arm, stop := interruptible(c.Context)
			defer stop()
			arm()
			if c.NArg() > 0 {
				return usagef("init takes no arguments; name the file with --config")
			}
			// The global --config ("composefix --config FILE init") names
			// the file too; the command's own flag wins.
			path := ""
			for _, ctx := range c.Lineage() {
				if ctx.IsSet("config") {
					path = ctx.String("config")
					break
				}
			}
			if path == "" {
				path = config.FileName
			}
			if path == "-" {
				_, err := io.WriteString(out, config.DefaultTemplate)
				return err
			}
			if err := besideOtherName(path); err != nil {
				return err
			}
			if err := writeNew(path, []byte(config.DefaultTemplate), c.Bool("force")); err != nil {
				return err
			}
			fmt.Fprintf(c.App.ErrWriter, "composefix: wrote %s\n", path)
			return nil
		},
	}
}

// besideOtherName refuses to write a configuration under one of its two
// names beside a file of the other: config.Find refuses a directory
// holding both, so every later run would fail the files it governs.
// --force changes nothing, as it would replace neither.
func besideOtherName(path string) error {
	other := map[string]string{config.FileName: config.AltFileName, config.AltFileName: config.FileName}[filepath.Base(path)]
	if other == "" {
		return nil
	}
	other = filepath.Join(filepath.Dir(path), other)
	fi, err := os.Stat(other)
	if err != nil || fi.IsDir() {
		return nil // none, as config.Find sees it
	}
	if own, err := os.Stat(path); err == nil && os.SameFile(own, fi) {
		return nil // one file under both names: one configuration, as config.Find sees it
	}
	return usagef("writing configuration: %s exists; composefix refuses a directory holding both %s and %s, so edit it or remove it first", other, config.FileName, config.AltFileName)
}

// existsError is writeNew's refusal of an existing path without force,
// whether it was there at the check or appeared before the write. No
// caller tells it apart from another usage error, so it is no sentinel.
func existsError(path string) error {
	return usagef("writing configuration: %s already exists; use --force to overwrite it", path)
}

// writeNew writes data to path atomically (pipeline.CreateNew: a
// temporary file in the same directory, synced, then linked into place).
// Without force an existing path is a usage error and is left untouched,
// even when it appears between the check and the write; with force
// pipeline.AtomicWrite writes it, replacing an existing file as --write
// replaces a compose file.
func writeNew(path string, data []byte, force bool) error {
	switch fi, err := os.Stat(path); {
	case err == nil && fi.IsDir():
		return usagef("writing configuration: %s is a directory", path)
	case err == nil && !force:
		return existsError(path)
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("writing configuration: %w", err)
	case force:
		// The writer of every replaced file: keeps the owner and mode,
		// replaces the file a symlink points at, not the link, and
		// refuses a file with hard links, which a rename would split.
		if err := pipeline.AtomicWrite(path, data, 0o644); err != nil {
			return fmt.Errorf("writing configuration: %w", err)
		}
		return nil
	}
	// A file created since the check above is kept (pipeline.CreateNew
	// never replaces one).
	err := pipeline.CreateNew(path, data, 0o644)
	switch {
	case errors.Is(err, fs.ErrExist):
		return existsError(path)
	case err != nil:
		return fmt.Errorf("writing configuration: %w", err)
	}
	return nil
}
