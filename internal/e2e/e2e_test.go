package e2e

import (
	"runtime"
	"testing"
)

// TestToolFindsAnInstalledProgram checks the path comes back for a program
// every test machine has (the go tool runs this test).
func TestToolFindsAnInstalledProgram(t *testing.T) {
	if p := Tool(t, "go", "https://go.dev/dl"); p == "" {
		t.Errorf(`Tool(t, "go") = "", want its path`)
	}
}

// TestToolMissing checks a missing program fails the test under
// COMPOSEFIX_E2E=1 and skips it otherwise.
func TestToolMissing(t *testing.T) {
	for _, required := range []string{"1", ""} {
		t.Setenv("COMPOSEFIX_E2E", required)
		ft := &fakeT{TB: t}
		done := make(chan struct{})
		go func() { // Fatalf and Skipf end the goroutine, as in a test
			defer close(done)
			Tool(ft, "composefix-no-such-program", "nowhere")
		}()
		<-done
		if want := required == "1"; ft.failed != want || ft.skipped == want {
			t.Errorf("COMPOSEFIX_E2E=%q: failed %v, skipped %v; want failed %v", required, ft.failed, ft.skipped, want)
		}
	}
}

// fakeT records Fatalf and Skipf instead of ending the real test.
type fakeT struct {
	testing.TB
	failed, skipped bool
}

func (f *fakeT) Helper() {}

func (f *fakeT) Fatalf(string, ...any) {
	f.failed = true
	runtime.Goexit()
}

func (f *fakeT) Skipf(string, ...any) {
	f.skipped = true
	runtime.Goexit()
}
