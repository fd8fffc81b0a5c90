package repl

import (
	"bufio"
	"errors"
	"io"
	"strings"

	"github.com/chzyer/readline"

	"github.com/weirsql/weir"
)

// LineReader is where the shell reads what the user types, one line at a time.
type LineReader interface {
	// Readline shows the prompt and returns the next line without its line end. It returns
	// ErrInterrupt when the user presses Ctrl-C while typing, and io.EOF at the end of input
	// (Ctrl-D on an empty line).
	Readline() (string, error)
	// SetPrompt sets the prompt the next Readline shows.
	SetPrompt(prompt string)
}

// historyKeeper is a LineReader that keeps a history of entries; the shell adds each
// complete statement and meta-command to it.
type historyKeeper interface {
	SaveHistory(entry string) error
}

// ErrInterrupt is returned by Readline when the user presses Ctrl-C while typing.
var ErrInterrupt = errors.New("interrupt")

// Script is a LineReader over text given in advance, for `.read`, for input that is not a
// terminal, and for tests. A line "\x03" (Ctrl-C) reads as ErrInterrupt. Prompts are recorded
// but not shown.
type Script struct {
	sc      *bufio.Scanner
	Prompts []string // every prompt shown, in order
	prompt  string
}

// NewScript returns a Script reading lines from r.
func NewScript(r io.Reader) *Script {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16<<20)
	return &Script{sc: sc}
}

// Readline returns the next line, ErrInterrupt for a line "\x03", and io.EOF at the end.
func (s *Script) Readline() (string, error) {
	s.Prompts = append(s.Prompts, s.prompt)
	if !s.sc.Scan() {
		if err := s.sc.Err(); err != nil {
			return "", err
		}
		return "", io.EOF
	}
	line := strings.TrimSuffix(s.sc.Text(), "\r")
	if line == "\x03" {
		return "", ErrInterrupt
	}
	return line, nil
}

// SetPrompt records the prompt for the next Readline.
func (s *Script) SetPrompt(prompt string) { s.prompt = prompt }

// Terminal is a LineReader on the terminal with line editing (chzyer/readline): history kept
// in a file, Ctrl-R to search it, and tab completion.
type Terminal struct {
	rl *readline.Instance
}

// NewTerminal opens the terminal for reading. historyFile is where history persists ("" to
// keep none); tab completes keywords and the names db knows.
func NewTerminal(db *weir.DB, historyFile string) (*Terminal, error) {
	rl, err := readline.NewEx(&readline.Config{
		Prompt:                 Prompt,
		HistoryFile:            historyFile,
		HistoryLimit:           10000,
		DisableAutoSaveHistory: true,
		HistorySearchFold:      true,
		AutoComplete:           &completer{db: db},
		InterruptPrompt:        "^C",
		EOFPrompt:              "\n",
	})
	if err != nil {
		return nil, err
	}
	return &Terminal{rl: rl}, nil
}

// Readline reads a line with editing.
func (t *Terminal) Readline() (string, error) {
	line, err := t.rl.Readline()
	if errors.Is(err, readline.ErrInterrupt) {
		return "", ErrInterrupt
	}
	return line, err
}

// SetPrompt sets the prompt of the next Readline.
func (t *Terminal) SetPrompt(prompt string) { t.rl.SetPrompt(prompt) }

// SaveHistory adds entry to the history and its file.
func (t *Terminal) SaveHistory(entry string) error { return t.rl.SaveHistory(entry) }

// Width is the terminal's width in columns.
func (t *Terminal) Width() int { return readline.GetScreenWidth() }

// Close gives the terminal back; a Readline in progress returns io.EOF.
func (t *Terminal) Close() error { return t.rl.Close() }
