package connector

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// maxRowBytes is the longest line a text source reads, and the longest CSV record (a quoted
// field may span lines). A longer line is skipped, counted and reported like any malformed
// row, so that a file without line ends, or a quote that is never closed, cannot make weir
// gather the rest of the file in memory. Tests lower it.
var maxRowBytes = 64 << 20

// errLineTooLong is what lineReader.next returns for a line longer than maxRowBytes; the line
// is counted and its text dropped.
var errLineTooLong = errors.New("line too long")

// lineTooLong is the message of a row skipped for errLineTooLong.
func lineTooLong() string {
	return fmt.Sprintf("the line is longer than %s, the longest a row may be", formatSize(
		int64(maxRowBytes)))
}

// formatSize writes a byte count as 1.5KB, 64.0MB or 2.0GB.
func formatSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1fGB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1fMB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1fKB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%dB", n)
}

// lineReader reads lines without their line ends (\n or \r\n) and counts them. A UTF-8 byte
// order mark at the start of the input is dropped.
//
// A reader of records that span lines (CSV's quoted fields) calls hold before it reads a
// record's second line; the lines read from then on are kept, so that unread can give them
// back when the record turns out malformed: its first line alone is then skipped and the
// lines after it are read again, each as a record of its own line (replayed says so). Each
// byte is thus read at most twice, and what is kept is bounded by maxRowBytes.
type lineReader struct {
	br   *bufio.Reader
	line int64  // the number of the line last returned, from 1
	long []byte // holds a line longer than the buffer
	// With keep set, raw gathers the lines returned, each with a line end, from the first
	// that is not blank; the caller empties it.
	keep bool
	raw  []byte

	// replayed is set when the line last returned was read again after unread.
	replayed bool
	holding  bool
	queue    []byte     // the text of the lines kept, back to back
	held     []heldLine // the lines kept
	pos      int        // the next line of held to return again
	mark     int64      // the line number at hold
	markRaw  int        // the length of raw at hold
}

// heldLine is one line kept by hold.
type heldLine struct {
	start, end int // its text in queue
	tooLong    bool
}

func (r *lineReader) reset(rd io.Reader) {
	r.br = bufio.NewReaderSize(rd, readBufferSize)
	r.line = 0
	r.replayed, r.holding = false, false
	r.queue, r.held, r.pos = r.queue[:0], r.held[:0], 0
}

// next returns the next line, valid until the following call, or io.EOF after the last one.
// A last line without a line end counts. A line longer than maxRowBytes is counted and
// returned as errLineTooLong.
func (r *lineReader) next() ([]byte, error) {
	if r.pos < len(r.held) {
		return r.again()
	}
	r.replayed = false
	if !r.holding && len(r.held) > 0 {
		r.queue, r.held, r.pos = r.queue[:0], r.held[:0], 0
	}
	b, err := r.read()
	if err != nil && err != errLineTooLong {
		return nil, err
	}
	r.line++
	if r.line == 1 {
		b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	}
	if r.holding {
		start := len(r.queue)
		r.queue = append(r.queue, b...)
		r.held = append(r.held, heldLine{start, len(r.queue), err != nil})
		r.pos = len(r.held)
	}
	if err != nil {
		return nil, err
	}
	r.keepRaw(b)
	return b, nil
}

// read reads the next line from the input, without its line end.
func (r *lineReader) read() ([]byte, error) {
	b, err := r.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		r.long = append(r.long[:0], b...)
		for err == bufio.ErrBufferFull {
			b, err = r.br.ReadSlice('\n')
			if len(r.long)+len(b) <= maxRowBytes+2 {
				r.long = append(r.long, b...)
				continue
			}
			r.long = r.long[:0]
			switch err {
			case bufio.ErrBufferFull:
				return r.skipLine()
			case nil, io.EOF:
				return nil, errLineTooLong
			}
			return nil, err
		}
		b = r.long
	}
	if err != nil && (err != io.EOF || len(b) == 0) {
		return nil, err
	}
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
		if n > 1 && b[n-2] == '\r' {
			b = b[:n-2]
		}
	}
	if len(b) > maxRowBytes {
		return nil, errLineTooLong
	}
	return b, nil
}

// skipLine reads past the end of a line too long to keep, and returns errLineTooLong.
func (r *lineReader) skipLine() ([]byte, error) {
	for {
		_, err := r.br.ReadSlice('\n')
		switch err {
		case nil, io.EOF:
			return nil, errLineTooLong
		case bufio.ErrBufferFull:
			continue
		}
		return nil, err
	}
}

// again returns the next line kept by hold, after unread.
func (r *lineReader) again() ([]byte, error) {
	h := r.held[r.pos]
	r.pos++
	r.line++
	r.replayed = true
	if h.tooLong {
		return nil, errLineTooLong
	}
	b := r.queue[h.start:h.end]
	r.keepRaw(b)
	return b, nil
}

func (r *lineReader) keepRaw(b []byte) {
	if r.keep && (len(r.raw) > 0 || len(bytes.TrimSpace(b)) > 0) {
		r.raw = append(append(r.raw, b...), '\n')
	}
}

// hold keeps the lines read from now on, until release or unread. It is not called while
// lines are being read again.
func (r *lineReader) hold() {
	r.holding = true
	r.mark, r.markRaw = r.line, len(r.raw)
}

// release drops the lines kept since hold.
func (r *lineReader) release() {
	r.holding = false
	r.queue, r.held, r.pos = r.queue[:0], r.held[:0], 0
}

// unread gives back the lines read since hold: next returns them again, from the line after
// the one hold was called at.
func (r *lineReader) unread() {
	r.holding = false
	r.pos = 0
	r.line = r.mark
	r.raw = r.raw[:r.markRaw]
}

// paused reports whether the next read would have to wait for the input.
func (r *lineReader) paused() bool { return r.pos >= len(r.held) && r.br.Buffered() == 0 }
