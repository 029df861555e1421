package composeschema

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/composefix/composefix/compose"
	"github.com/composefix/composefix/internal/golden"
	"go.yaml.in/yaml/v3"
)

// BenchmarkCheckCorpus checks every corpus file once per iteration; all are
// valid, so this is the cost every run pays per file (compose-go's
// validation).
func BenchmarkCheckCorpus(b *testing.B) {
	var roots []*yaml.Node
	for _, p := range golden.CorpusFiles(b) {
		src, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		var n yaml.Node
		if yaml.Unmarshal(src, &n) == nil {
			roots = append(roots, &n)
		}
	}
	s := &Schema{}
	b.ResetTimer()
	for b.Loop() {
		for _, r := range roots {
			if _, err := s.Check(r); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*len(roots)), "µs/file")
}

// BenchmarkCheckFromOneChange checks each corpus file's output where one
// service changed (a restart policy added), as an update run makes:
// whole, and from the input's check.
func BenchmarkCheckFromOneChange(b *testing.B) {
	s := &Schema{}
	var ins, outs []*yaml.Node
	for _, p := range golden.CorpusFiles(b) {
		src, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		var in, out yaml.Node
		if yaml.Unmarshal(src, &in) != nil || yaml.Unmarshal(src, &out) != nil || len(out.Content) == 0 {
			continue
		}
		_, svcs := compose.MapGet(out.Content[0], "services")
		if svcs == nil || svcs.Kind != yaml.MappingNode || len(svcs.Content) == 0 || svcs.Content[1].Kind != yaml.MappingNode {
			continue
		}
		web := svcs.Content[1]
		web.Content = append(web.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: "restart", Tag: "!!str"}, &yaml.Node{Kind: yaml.ScalarNode, Value: "always", Tag: "!!str"})
		ins, outs = append(ins, &in), append(outs, &out)
	}
	b.Run("whole", func(b *testing.B) {
		for b.Loop() {
			for _, o := range outs {
				if _, err := s.CheckFrom(nil, o); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("from-input", func(b *testing.B) {
		bases := make([]*Checked, len(ins))
		for i, in := range ins {
			var err error
			if bases[i], err = s.CheckFrom(nil, in); err != nil {
				b.Fatal(err)
			}
		}
		b.ResetTimer()
		for b.Loop() {
			for i, o := range outs {
				if _, err := s.CheckFrom(bases[i], o); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}

// BenchmarkCompile is what the first check of a run pays to prepare the
// schema: its table is static data, and its two regular expressions are
// compiled only when a value is matched against them.
func BenchmarkCompile(b *testing.B) {
	for b.Loop() {
		if _, err := compileTable(&spec); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheckLarge checks a file of 100,000 small services (about the
// 8 MiB input limit), valid and with one misspelt key: the check reads the
// tree without converting it, and locates a violation by converting only
// the services that fail.
func BenchmarkCheckLarge(b *testing.B) {
	for _, broken := range []bool{false, true} {
		var sb strings.Builder
		sb.WriteString("services:\n")
		for i := range 100000 {
			fmt.Fprintf(&sb, "  s%d:\n    image: redis:7\n    ports: [\"%d:6379\"]\n", i, 1024+i%60000)
			if i > 0 {
				fmt.Fprintf(&sb, "    depends_on: [s%d]\n", i-1)
			}
			if broken && i == 500 {
				sb.WriteString("    imagee: redis\n")
			}
		}
		var n yaml.Node
		if err := yaml.Unmarshal([]byte(sb.String()), &n); err != nil {
			b.Fatal(err)
		}
		name, want := "valid", 0
		if broken {
			name, want = "one-broken", 1
		}
		b.Run(name, func(b *testing.B) {
			s := &Schema{}
			for b.Loop() {
				if vs, err := s.Check(&n); err != nil || len(vs) != want {
					b.Fatal(err, vs)
				}
			}
		})
	}
}
