package connector

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// TerminalProgress returns os.Stderr when it is a terminal, else nil: what a command-line
// tool sets FileOptions.Progress to, so that a bar shows while a file is read by hand and
// never in a pipeline or a log. The shell leaves it unset while it owns the prompt.
func TerminalProgress() io.Writer {
	if term.IsTerminal(int(os.Stderr.Fd())) {
		return os.Stderr
	}
	return nil
}

// progress is the bar of the bytes read of a source's files.
type progress struct {
	bar *progressbar.ProgressBar
}

func newProgress(w io.Writer, paths []string) *progress {
	var total int64
	for _, p := range paths {
		if st, err := os.Stat(p); err == nil {
			total += st.Size()
		}
	}
	desc := filepath.Base(paths[0])
	if len(paths) > 1 {
		desc = fmt.Sprintf("%s and %d more", desc, len(paths)-1)
	}
	bar := progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionShowBytes(true),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionClearOnFinish(),
	)
	return &progress{bar: bar}
}

// add counts n more bytes read.
func (p *progress) add(n int64) { _ = p.bar.Add64(n) }

// finish clears the bar from the terminal.
func (p *progress) finish() {
	_ = p.bar.Finish()
	_ = p.bar.Clear()
}
