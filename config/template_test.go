package config

import (
	"reflect"
	"strings"
	"testing"

	"github.com/composefix/composefix/internal/golden"
)

func TestDefaultTemplateGolden(t *testing.T) {
	golden.Check(t, "testdata/default.composefix.yaml", []byte(DefaultTemplate))
}

func TestDefaultTemplateParsesEmpty(t *testing.T) {
	f, err := Parse(FileName, []byte(DefaultTemplate))
	if err != nil {
		t.Fatalf("Parse(DefaultTemplate) error: %v", err)
	}
	// Everything is commented out: writing the template changes nothing.
	if !reflect.DeepEqual(*f, File{Path: FileName}) {
		t.Errorf("Parse(DefaultTemplate) = %+v, want the empty configuration", f)
	}
}

// yamlKeys lists the yaml tags of t's fields, descending into nested
// structs (and the structs of slices and maps) and inline embeddings.
func yamlKeys(t reflect.Type) []string {
	var keys []string
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		if tag == "" || tag == "-" || !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if opts != "inline" {
			keys = append(keys, name)
		}
		ft := f.Type
		for ft.Kind() == reflect.Slice || ft.Kind() == reflect.Map || ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Struct && ft.PkgPath() == t.PkgPath() {
			keys = append(keys, yamlKeys(ft)...)
		}
	}
	return keys
}

func TestYAMLKeysWalk(t *testing.T) {
	// The walk must reach nested and inline keys, or the template test below
	// checks less than it claims.
	keys := strings.Join(yamlKeys(reflect.TypeFor[File]()), " ")
	for _, want := range []string{"select", "policy", "classes", "reservation_memory", "disable", "options", "start_interval"} {
		if !strings.Contains(" "+keys+" ", " "+want+" ") {
			t.Errorf("yamlKeys(File) = %s, missing %q", keys, want)
		}
	}
}

func TestDefaultTemplateDocumentsEveryKey(t *testing.T) {
	for _, key := range yamlKeys(reflect.TypeFor[File]()) {
		// Each key appears as an example line, "#key:" or "#  key:".
		found := false
		for _, line := range strings.Split(DefaultTemplate, "\n") {
			if strings.HasPrefix(strings.TrimLeft(strings.TrimPrefix(line, "#"), " -"), key+":") && strings.HasPrefix(line, "#") {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("DefaultTemplate has no example line for key %q; document it", key)
		}
	}
}

func TestDefaultTemplateUncommentedSetsEveryKey(t *testing.T) {
	src := UncommentTemplate(DefaultTemplate)
	f, err := Parse(FileName, []byte(src))
	if err != nil {
		t.Fatalf("Parse(uncommented DefaultTemplate) error: %v\n%s", err, src)
	}
	checkAllSet(t, "", reflect.ValueOf(*f))
}

// checkAllSet reports every yaml-tagged field of v that is zero everywhere
// it occurs: for slices and maps, in at least one element.
func checkAllSet(t *testing.T, at string, v reflect.Value) {
	t.Helper()
	set := map[string]bool{}
	var walk func(at string, v reflect.Value)
	walk = func(at string, v reflect.Value) {
		for i := range v.NumField() {
			f := v.Type().Field(i)
			tag := f.Tag.Get("yaml")
			if tag == "" || tag == "-" || !f.IsExported() {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			fv := v.Field(i)
			if opts == "inline" {
				walk(at, fv)
				continue
			}
			key := at + name
			if _, ok := set[key]; !ok {
				set[key] = false
			}
			if !fv.IsZero() {
				set[key] = true
			}
			switch fv.Kind() {
			case reflect.Struct:
				if fv.Type().PkgPath() == v.Type().PkgPath() {
					walk(key+".", fv)
				}
			case reflect.Slice:
				for j := range fv.Len() {
					if e := fv.Index(j); e.Kind() == reflect.Struct {
						walk(key+"[].", e)
					}
				}
			case reflect.Map:
				iter := fv.MapRange()
				for iter.Next() {
					if e := iter.Value(); e.Kind() == reflect.Struct {
						walk(key+"{}.", e)
					}
				}
			}
		}
	}
	walk(at, v)
	for key, ok := range set {
		if !ok {
			t.Errorf("uncommented DefaultTemplate leaves %s unset; give it an example", key)
		}
	}
}

func TestUncomment(t *testing.T) {
	src := "# prose\n#\n#key: 1\n#  nested: 2\n#   - item\n# more prose\n"
	want := "key: 1\n  nested: 2\n   - item\n"
	if got := UncommentTemplate(src); got != want {
		t.Errorf("UncommentTemplate(%q) = %q, want %q", src, got, want)
	}
}
