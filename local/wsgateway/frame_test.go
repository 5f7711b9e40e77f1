package wsgateway

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"testing"
	"testing/iotest"
)

// frame encodes a client frame: masked, with the shortest length
// encoding unless wide asks for the 64-bit one.
func frame(opcode byte, fin bool, n int, wide bool) []byte {
	b0 := opcode
	if fin {
		b0 |= 0x80
	}
	out := []byte{b0}
	switch {
	case wide:
		out = append(out, 0x80|127)
		out = binary.BigEndian.AppendUint64(out, uint64(n))
	case n < 126:
		out = append(out, 0x80|byte(n))
	case n <= 0xffff:
		out = append(out, 0x80|126)
		out = binary.BigEndian.AppendUint16(out, uint16(n))
	default:
		out = append(out, 0x80|127)
		out = binary.BigEndian.AppendUint64(out, uint64(n))
	}
	out = append(out, 1, 2, 3, 4) // masking key
	return append(out, bytes.Repeat([]byte{'x'}, n)...)
}

const (
	opContinuation = 0x0
	opText         = 0x1
	opBinary       = 0x2
	opPing         = 0x9
)

func TestFrameWatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		frames  [][]byte
		tooBig  bool
		oneByte bool // the connection delivers a byte at a time
	}{
		{name: "small text", frames: [][]byte{frame(opText, true, 10, false)}},
		{name: "empty text", frames: [][]byte{frame(opText, true, 0, false)}},
		{name: "exactly 32 KB", frames: [][]byte{frame(opText, true, MaxFrame, false)}},
		{name: "32 KB + 1", frames: [][]byte{frame(opText, true, MaxFrame+1, false)}, tooBig: true},
		{name: "64-bit length", frames: [][]byte{frame(opText, true, 100, true)}},
		{name: "64-bit length over", frames: [][]byte{frame(opBinary, true, 70000, true)}, tooBig: true},
		{name: "fragments within the limit", frames: [][]byte{
			frame(opText, false, MaxFrame, false), frame(opPing, true, 4, false),
			frame(opContinuation, false, MaxFrame, false), frame(opContinuation, true, 5, false),
		}},
		{name: "an oversized continuation", frames: [][]byte{
			frame(opText, false, 10, false), frame(opContinuation, true, MaxFrame+1, false),
		}, tooBig: true},
		{name: "one byte at a time", frames: [][]byte{
			frame(opText, true, 300, false), frame(opText, true, 70000, true),
		}, tooBig: true, oneByte: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stream []byte
			var bounds []int // where each header and each payload ends
			for _, f := range tt.frames {
				stream = append(stream, f...)
				hdr := len(f) - payloadLen(f)
				bounds = append(bounds, len(stream)-len(f)+hdr, len(stream))
			}
			var src io.Reader = bytes.NewReader(stream)
			if tt.oneByte {
				src = iotest.OneByteReader(src)
			}
			w := newFrameWatch(nil, src, MaxFrame)
			var got []byte
			buf := make([]byte, 100_000)
			for {
				n, err := w.Read(buf)
				start := len(got)
				got = append(got, buf[:n]...)
				for _, b := range bounds {
					if start < b && b < len(got) {
						t.Fatalf("a read of [%d,%d) crossed the frame boundary at %d", start, len(got), b)
					}
				}
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			if !bytes.Equal(got, stream) {
				t.Fatalf("passed on %d bytes, want the %d sent", len(got), len(stream))
			}
			if w.oversized() != tt.tooBig {
				t.Errorf("oversized() = %v, want %v", w.oversized(), tt.tooBig)
			}
		})
	}
}

// payloadLen reads back the payload length of an encoded frame.
func payloadLen(f []byte) int {
	switch l := int(f[1] & 0x7f); l {
	case 126:
		return int(binary.BigEndian.Uint16(f[2:4]))
	case 127:
		return int(binary.BigEndian.Uint64(f[2:10]))
	default:
		return l
	}
}
