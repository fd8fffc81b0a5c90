package repl

import (
	"sort"
	"strings"
	"unicode"

	"github.com/weirsql/weir"
	"github.com/weirsql/weir/planner"
)

// keywords are the words tab completion offers besides names: the reserved words and the
// others weir's statements use.
var keywords = []string{
	"SELECT", "FROM", "WHERE", "GROUP", "BY", "HAVING", "QUALIFY", "ORDER", "LIMIT", "OFFSET",
	"AS", "AND", "OR", "NOT", "CASE", "WHEN", "THEN", "ELSE", "END", "JOIN", "INNER", "LEFT",
	"RIGHT", "FULL", "OUTER", "CROSS", "ON", "USING", "UNION", "WITH", "DISTINCT", "IN", "IS",
	"NULL", "TRUE", "FALSE", "BETWEEN", "LIKE", "ILIKE", "INTERVAL", "FILTER", "EMIT", "OVER",
	"CREATE", "STREAM", "DROP", "IF", "EXISTS", "REPLACE", "EXPLAIN", "SHOW", "STREAMS",
	"FUNCTIONS", "DESCRIBE", "SET", "WATERMARK", "FOR", "TUMBLE", "HOP", "SESSION", "CUMULATE",
	"TABLE", "DESCRIPTOR", "FINAL", "EVERY", "CHANGES", "ALLOWED", "LATENESS", "ASC", "DESC",
	"NULLS", "FIRST", "LAST", "PARTITION", "ROWS", "RANGE", "PRECEDING", "FOLLOWING",
	"CURRENT", "ROW", "UNBOUNDED", "WITHIN", "CAST", "BOOLEAN", "BIGINT", "INTEGER", "DOUBLE",
	"VARCHAR", "TIMESTAMP", "SECOND", "MINUTE", "HOUR", "DAY", "window_start", "window_end",
}

// completer offers keywords, stream names, column names and function names for the word
// before the cursor, and meta-command names at the start of a line.
type completer struct {
	db *weir.DB
}

// Do returns the endings of the candidates for the word before pos, and the length of that
// word, as readline.AutoCompleter asks.
func (c *completer) Do(line []rune, pos int) ([][]rune, int) {
	start := pos
	for start > 0 && isWordRune(line[start-1]) {
		start--
	}
	word := string(line[start:pos])
	if start == 0 || strings.TrimSpace(string(line[:start])) == "" {
		if strings.HasPrefix(word, ".") || strings.HasPrefix(word, `\`) {
			return endings(word, metaNames(), false), len([]rune(word))
		}
	}
	if word == "" {
		return nil, 0
	}
	prefix := word
	if dot := strings.LastIndexByte(word, '.'); dot >= 0 {
		prefix = word[dot+1:] // alias.column or stream.column
		out := endings(prefix, c.columns(), false)
		out = append(out, endings(word, c.streams(), false)...) // nexmark.b: nexmark.bid
		return dedupe(out), len([]rune(prefix))
	}
	out := endings(word, keywords, true)
	out = append(out, endings(word, c.streams(), false)...)
	out = append(out, endings(word, c.columns(), false)...)
	out = append(out, endings(word, c.db.Registry().Names(), false)...)
	return dedupe(out), len([]rune(word))
}

func isWordRune(r rune) bool {
	return r == '_' || r == '.' || r == '$' || r == '\\' || unicode.IsLetter(r) ||
		unicode.IsDigit(r)
}

// streams lists the names of the catalog's streams and the built-in ones.
func (c *completer) streams() []string {
	out := c.db.Catalog().Names()
	for _, st := range planner.BuiltinStreams() {
		out = append(out, st.Name)
	}
	return out
}

// columns lists the column names of every stream.
func (c *completer) columns() []string {
	var out []string
	for _, s := range append(c.db.Catalog().Streams(), planner.BuiltinStreams()...) {
		for _, col := range s.Columns {
			out = append(out, col.Name)
		}
	}
	return out
}

// endings returns what completes word to each candidate that starts with it, ignoring case.
// When matchCase is set, the ending takes the case of word's last letter, so that keywords
// complete in the case being typed.
func endings(word string, candidates []string, matchCase bool) [][]rune {
	lower := strings.ToLower(word)
	var out [][]rune
	for _, cand := range candidates {
		if len(cand) < len(word) || strings.ToLower(cand[:len(word)]) != lower {
			continue
		}
		rest := cand[len(word):]
		if matchCase && isUpper(cand) {
			if lastLetterLower(word) {
				rest = strings.ToLower(rest)
			}
		}
		out = append(out, []rune(rest))
	}
	return out
}

func isUpper(s string) bool { return s == strings.ToUpper(s) }

func lastLetterLower(s string) bool {
	for i := len(s) - 1; i >= 0; i-- {
		if r := rune(s[i]); unicode.IsLetter(r) {
			return unicode.IsLower(r)
		}
	}
	return false
}

// dedupe drops endings that repeat one before them but for case (a function named as a
// keyword), and sorts the rest.
func dedupe(in [][]rune) [][]rune {
	seen := map[string]bool{}
	var keys []string
	for _, r := range in {
		if s := string(r); !seen[strings.ToLower(s)] {
			seen[strings.ToLower(s)] = true
			keys = append(keys, s)
		}
	}
	sort.Strings(keys)
	out := make([][]rune, len(keys))
	for i, k := range keys {
		out[i] = []rune(k)
	}
	return out
}
