package wsgateway

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"sync/atomic"
)

// frameWatch reads the header of every frame the client sends on its
// way to the WebSocket library, which limits messages but not frames,
// while API Gateway limits both.
//
// It never hands over bytes past the end of the frame element (header
// or payload) being read, so the library cannot buffer the next frame
// before it asks for the next message: when the library returns a
// message, oversized reports on that message's frames and no other.
type frameWatch struct {
	net.Conn
	src io.Reader // what the HTTP server had buffered, then the connection
	max uint64

	header    [14]byte
	have      int    // bytes of the current header read
	remaining uint64 // bytes of the current payload still to read

	tooBig atomic.Bool
}

func newFrameWatch(c net.Conn, src io.Reader, max uint64) *frameWatch {
	return &frameWatch{Conn: c, src: src, max: max}
}

// Read passes on what the client sent, at most up to the end of the
// current header or payload.
func (f *frameWatch) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if f.remaining > 0 {
		if uint64(len(p)) > f.remaining {
			p = p[:f.remaining]
		}
		n, err := f.src.Read(p)
		f.remaining -= uint64(n)
		return n, err
	}
	if want := f.headerLen() - f.have; len(p) > want {
		p = p[:want]
	}
	n, err := f.src.Read(p)
	f.have += copy(f.header[f.have:], p[:n])
	if f.have >= 2 && f.have == f.headerLen() {
		f.endOfHeader()
	}
	return n, err
}

// oversized reports whether a data frame over the limit has been seen.
func (f *frameWatch) oversized() bool { return f.tooBig.Load() }

// headerLen is the length of the current header, as far as it is known:
// two bytes, then the extended length and the masking key they announce.
func (f *frameWatch) headerLen() int {
	if f.have < 2 {
		return 2
	}
	n := 2
	switch f.header[1] & 0x7f {
	case 126:
		n += 2
	case 127:
		n += 8
	}
	if f.header[1]&0x80 != 0 {
		n += 4
	}
	return n
}

func (f *frameWatch) endOfHeader() {
	var length uint64
	switch l := f.header[1] & 0x7f; l {
	case 126:
		length = uint64(binary.BigEndian.Uint16(f.header[2:4]))
	case 127:
		length = binary.BigEndian.Uint64(f.header[2:10])
	default:
		length = uint64(l)
	}
	// Opcodes below 8 are data: continuation, text, binary.
	if opcode := f.header[0] & 0x0f; opcode < 8 && length > f.max {
		f.tooBig.Store(true)
	}
	f.remaining = min(length, math.MaxInt64)
	f.have = 0
}

// watchingWriter hands the WebSocket library a hijacked connection read
// through a frameWatch.
type watchingWriter struct {
	http.ResponseWriter
	watch *frameWatch
}

// Hijack takes the connection over from the HTTP server.
func (w *watchingWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, fmt.Errorf("wsgateway: hijack: %w", err)
	}
	// Read what the server had buffered beyond the request directly, then
	// the connection, not through the server's reader (golang/go#32314).
	buffered, _ := brw.Reader.Peek(brw.Reader.Buffered())
	w.watch = newFrameWatch(c, io.MultiReader(bytes.NewReader(bytes.Clone(buffered)), c), MaxFrame)
	return w.watch, bufio.NewReadWriter(bufio.NewReader(w.watch), brw.Writer), nil
}

// Unwrap lets http.ResponseController reach the server's writer.
func (w *watchingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
