package kb_test

import (
	"fmt"

	"github.com/composefix/composefix/fixers/kb"
)

func ExampleHealthcheck_Render() {
	entries, err := kb.Healthchecks()
	if err != nil {
		panic(err)
	}
	h, ok := kb.Lookup(entries, "redis:7.4-alpine")
	if !ok {
		return
	}
	test, err := h.Render(kb.Service{
		Image:   "redis:7.4-alpine",
		Command: []string{"redis-server", "--requirepass", "${REDIS_PASSWORD}"},
	})
	if err != nil {
		panic(err)
	}
	fmt.Printf("%q every %s, %d retries, class %s\n", test, h.Interval, h.Retries, h.Class)
	// Output: ["CMD-SHELL" "redis-cli -a \"${REDIS_PASSWORD}\" ping | grep -q PONG"] every 10s, 5 retries, class cache
}

func ExampleHealthcheck_Prerequisites() {
	entries, _ := kb.Healthchecks()
	h, _ := kb.Lookup(entries, "traefik:v3.2.3")
	p := h.Prerequisites(kb.Service{Command: []string{"--providers.docker=true"}})
	fmt.Println(p.State, p.Flag)
	// Output: missing --ping=true
}
