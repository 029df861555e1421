package mainstack

import "runtime"

func init() { grow() }

// grow needs a 24 KiB frame: the runtime doubles the stack until it fits,
// to 32 KiB.
//
//go:noinline
func grow() {
	var frame [24 << 10]byte
	runtime.KeepAlive(&frame)
}
