package connector

import (
	"bytes"
	"fmt"
	"math"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// JSON lines: each line holds one object. A key maps to the column of the same name in any
// ASCII case; the members of a nested object are columns named by their path, "a.b". A
// repeated key takes the last value; null and a missing key are NULL. A BIGINT column takes an
// integer number (read exactly, never through a double), a DOUBLE column a number or the
// strings "NaN", "Infinity" and "-Infinity" (as weir writes them), a BOOLEAN column true or
// false, a TIMESTAMP column a string ParseTimestamp reads, and a VARCHAR column a string, or
// the JSON text of any other value. Any other value, or a line that is not an object, makes
// the row malformed. Blank lines are skipped.

const maxJSONDepth = 64

// jsonValue is one member's value as the scanner found it.
type jsonValue struct {
	set  bool
	kind byte   // '"' string, '0' number, 't' true, 'f' false, 'n' null, '{' object, '[' array
	raw  []byte // a string's text between its quotes, else the value's JSON text
	esc  bool   // the string holds escapes
	frac bool   // the number has a fraction or an exponent
}

// text returns a string's contents with its escapes resolved, appending to buf when needed.
func (v *jsonValue) text(buf []byte) (text, grown []byte, ok bool) {
	if !v.esc {
		return v.raw, buf, true
	}
	start := len(buf)
	buf, ok = appendUnescaped(buf, v.raw)
	return buf[start:], buf, ok
}

// shown is the value as written in the line, for messages.
func (v *jsonValue) shown() string {
	raw := v.raw
	cut := ""
	if len(raw) > maxShownValue {
		raw, cut = raw[:maxShownValue], "..."
	}
	shown := strings.ToValidUTF8(string(raw), "\uFFFD")
	if v.kind == '"' {
		return `"` + shown + cut + `"`
	}
	return shown + cut
}

// jsonFormat reads JSON lines into the declared columns.
type jsonFormat struct {
	byName map[string]int // ASCII lower-case column name to column
	// parents holds the lower-case paths of objects that hold declared columns ("a" and "a.c"
	// for "a.c.d"), with the columns under each, so that a repeated key drops what an
	// earlier value of it set.
	parents map[string][]int
	vals    []jsonValue
	low     []byte // the lower-case path being looked up
	text    []byte // the unescaped strings of the current row
	sc      jsonScanner
}

func newJSONFormat(cols []column) *jsonFormat {
	f := &jsonFormat{byName: make(map[string]int, len(cols)), vals: make([]jsonValue, len(cols))}
	for i := len(cols) - 1; i >= 0; i-- { // the first of two equal names wins
		name := string(appendLower(nil, []byte(cols[i].name)))
		f.byName[name] = i
		for j := len(name) - 1; j > 0; j-- {
			if name[j] != '.' {
				continue
			}
			if f.parents == nil {
				f.parents = make(map[string][]int)
			}
			f.parents[name[:j]] = append(f.parents[name[:j]], i)
		}
	}
	f.sc.visit = f.visit
	if f.parents != nil {
		f.sc.enter = f.enter
	}
	return f
}

// enter forgets the columns under path that an earlier value of the same key set.
func (f *jsonFormat) enter(path []byte) {
	f.low = appendLower(f.low[:0], path)
	for _, i := range f.parents[string(f.low)] {
		f.vals[i].set = false
	}
}

func (f *jsonFormat) begin(*textSource) error { return nil }

func (f *jsonFormat) visit(path []byte, v jsonValue) {
	f.low = appendLower(f.low[:0], path)
	if i, ok := f.byName[string(f.low)]; ok {
		v.set = true
		f.vals[i] = v
	}
}

func (f *jsonFormat) row(s *textSource) (int64, string, error) {
	line, err := nextObjectLine(&s.lines)
	if err != nil {
		return 0, "", err
	}
	for i := range f.vals {
		f.vals[i].set = false
	}
	if problem := f.sc.scanLine(line); problem != "" {
		return s.lines.line, problem, nil
	}

	f.text = f.text[:0]
	for i := range s.cols {
		if problem := f.convert(s, &s.cols[i], &f.vals[i], &s.cells[i]); problem != "" {
			return s.lines.line, problem, nil
		}
	}
	return s.lines.line, "", nil
}

// nextObjectLine returns the next line that is not blank.
func nextObjectLine(lines *lineReader) ([]byte, error) {
	for {
		b, err := lines.next()
		if err != nil {
			return nil, err
		}
		if len(bytes.TrimLeft(b, " \t\r")) > 0 {
			return b, nil
		}
	}
}

// convert puts the value jv of column c into v, or says why it does not fit.
func (f *jsonFormat) convert(s *textSource, c *column, jv *jsonValue, v *cell) string {
	v.null = false
	if !jv.set || jv.kind == 'n' {
		v.null = true
		return ""
	}
	var text []byte
	if jv.kind == '"' {
		var ok bool
		text, f.text, ok = jv.text(f.text)
		if !ok {
			return fmt.Sprintf("column %q: bad escape in %s", c.name, jv.shown())
		}
		if s.isNull(text) {
			v.null = true
			return ""
		}
	}

	ok := false
	switch c.kind {
	case kindString:
		v.s = jv.raw
		if jv.kind == '"' {
			v.s = text
		}
		if !utf8.Valid(v.s) {
			return badUTF8(c.name, v.s, showValue(jv.raw))
		}
		return ""
	case kindInt:
		if jv.kind == '0' && !jv.frac {
			if v.i, ok = parseInt(jv.raw); !ok {
				return c.outOfRange(jv.shown())
			}
		}
	case kindFloat:
		switch jv.kind {
		case '0':
			if v.f, ok = parseFloat(jv.raw); !ok {
				return c.outOfRange(jv.shown())
			}
		case '"':
			v.f, ok = parseFloat(text)
			ok = ok && (math.IsNaN(v.f) || math.IsInf(v.f, 0))
		}
	case kindBool:
		ok = jv.kind == 't' || jv.kind == 'f'
		v.i = 0
		if jv.kind == 't' {
			v.i = 1
		}
	case kindTime:
		if jv.kind == '"' {
			v.i, ok = c.parseTime(trimSpaces(text))
		}
	}
	if !ok {
		return fmt.Sprintf("column %q: %s is not a %s", c.name, jv.shown(), c.typeName())
	}
	return ""
}

// jsonScanner walks a line holding one JSON object and calls visit for each member, nested
// ones included, with its path of keys joined by dots. An object's members are visited
// before the object itself; the members of objects inside arrays are not visited.
type jsonScanner struct {
	b     []byte
	i     int
	depth int
	err   string
	path  []byte
	visit func(path []byte, v jsonValue)
	enter func(path []byte) // when set, called before each visited value is read
}

// scanLine walks line and returns what is wrong with it, or "".
func (s *jsonScanner) scanLine(line []byte) string {
	s.b, s.i, s.depth, s.err = line, 0, 0, ""
	s.ws()
	if s.peek() != '{' {
		return "the line is not a JSON object"
	}
	if !s.object(s.path[:0], true) {
		return s.err
	}
	s.ws()
	if s.i < len(s.b) {
		s.fail("text after the object")
		return s.err
	}
	return ""
}

func (s *jsonScanner) fail(msg string) bool {
	if s.err == "" {
		s.err = fmt.Sprintf("invalid JSON at column %d: %s", s.i+1, msg)
	}
	return false
}

func (s *jsonScanner) peek() byte {
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

func (s *jsonScanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\r', '\n':
			s.i++
		default:
			return
		}
	}
}

// object reads the object at s.i, whose members' paths start with path.
func (s *jsonScanner) object(path []byte, report bool) bool {
	if s.depth++; s.depth > maxJSONDepth {
		return s.fail("nested too deep")
	}
	s.i++
	s.ws()
	if s.peek() == '}' {
		s.i++
		s.depth--
		return true
	}
	for {
		s.ws()
		if s.peek() != '"' {
			return s.fail("expected a key")
		}
		key, esc, ok := s.str()
		if !ok {
			return false
		}
		p := path
		if report {
			if len(p) > 0 {
				p = append(p, '.')
			}
			if p, ok = appendKey(p, key, esc); !ok {
				return s.fail("bad escape in a key")
			}
			if cap(p) > cap(s.path) {
				s.path = p[:0]
			}
		}
		s.ws()
		if s.peek() != ':' {
			return s.fail("expected ':'")
		}
		s.i++
		s.ws()
		if !s.value(p, report) {
			return false
		}
		s.ws()
		switch s.peek() {
		case ',':
			s.i++
		case '}':
			s.i++
			s.depth--
			return true
		default:
			return s.fail("expected ',' or '}'")
		}
	}
}

func appendKey(p, key []byte, esc bool) ([]byte, bool) {
	if esc {
		return appendUnescaped(p, key)
	}
	return append(p, key...), true
}

// value reads the value at s.i and visits it under path when report is set.
func (s *jsonScanner) value(path []byte, report bool) bool {
	if report && s.enter != nil {
		s.enter(path)
	}
	start := s.i
	v := jsonValue{kind: s.peek()}
	switch c := s.peek(); {
	case c == '{':
		if !s.object(path, report) {
			return false
		}
		v.raw = s.b[start:s.i]
	case c == '[':
		if !s.array() {
			return false
		}
		v.raw = s.b[start:s.i]
	case c == '"':
		var ok bool
		if v.raw, v.esc, ok = s.str(); !ok {
			return false
		}
	case c == 't':
		if !s.literal("true") {
			return false
		}
	case c == 'f':
		if !s.literal("false") {
			return false
		}
	case c == 'n':
		if !s.literal("null") {
			return false
		}
	case c == '-' || '0' <= c && c <= '9':
		v.kind = '0'
		var ok bool
		if v.raw, v.frac, ok = s.number(); !ok {
			return false
		}
	default:
		return s.fail("expected a value")
	}
	if report {
		if v.raw == nil {
			v.raw = s.b[start:s.i]
		}
		s.visit(path, v)
	}
	return true
}

func (s *jsonScanner) array() bool {
	if s.depth++; s.depth > maxJSONDepth {
		return s.fail("nested too deep")
	}
	s.i++
	s.ws()
	if s.peek() == ']' {
		s.i++
		s.depth--
		return true
	}
	for {
		s.ws()
		if !s.value(nil, false) {
			return false
		}
		s.ws()
		switch s.peek() {
		case ',':
			s.i++
		case ']':
			s.i++
			s.depth--
			return true
		default:
			return s.fail("expected ',' or ']'")
		}
	}
}

// str reads the string at s.i and returns its text between the quotes, escapes unresolved.
func (s *jsonScanner) str() (text []byte, esc, ok bool) {
	start := s.i + 1
	for i := start; i < len(s.b); i++ {
		switch s.b[i] {
		case '"':
			s.i = i + 1
			return s.b[start:i], esc, true
		case '\\':
			esc = true
			i++
		}
	}
	s.i = len(s.b)
	return nil, false, s.fail("unterminated string")
}

func (s *jsonScanner) literal(word string) bool {
	if !bytes.HasPrefix(s.b[s.i:], []byte(word)) {
		return s.fail("expected a value")
	}
	s.i += len(word)
	return true
}

// number reads a number as JSON writes it; frac is set when it has a fraction or exponent.
func (s *jsonScanner) number() (raw []byte, frac, ok bool) {
	start := s.i
	if s.peek() == '-' {
		s.i++
	}
	switch {
	case s.peek() == '0':
		s.i++
	case s.digits() == 0:
		return nil, false, s.fail("bad number")
	}
	if s.peek() == '.' {
		s.i++
		frac = true
		if s.digits() == 0 {
			return nil, false, s.fail("bad number")
		}
	}
	if c := s.peek(); c == 'e' || c == 'E' {
		s.i++
		frac = true
		if c := s.peek(); c == '+' || c == '-' {
			s.i++
		}
		if s.digits() == 0 {
			return nil, false, s.fail("bad number")
		}
	}
	return s.b[start:s.i], frac, true
}

func (s *jsonScanner) digits() int {
	start := s.i
	for s.i < len(s.b) && '0' <= s.b[s.i] && s.b[s.i] <= '9' {
		s.i++
	}
	return s.i - start
}

// appendUnescaped appends the JSON string text raw with its escapes resolved; false when an
// escape is not valid JSON. A lone surrogate becomes U+FFFD.
func appendUnescaped(dst, raw []byte) ([]byte, bool) {
	for len(raw) > 0 {
		i := bytes.IndexByte(raw, '\\')
		if i < 0 {
			return append(dst, raw...), true
		}
		dst = append(dst, raw[:i]...)
		raw = raw[i:]
		if len(raw) < 2 {
			return dst, false
		}
		switch c := raw[1]; c {
		case '"', '\\', '/':
			dst = append(dst, c)
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r, ok := hex4(raw[2:])
			if !ok {
				return dst, false
			}
			raw = raw[6:]
			if utf16.IsSurrogate(r) {
				if r2, ok := hex4(raw[min(2, len(raw)):]); ok && len(raw) >= 2 &&
					raw[0] == '\\' && raw[1] == 'u' {
					if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
						dst = utf8.AppendRune(dst, d)
						raw = raw[6:]
						continue
					}
				}
				r = utf8.RuneError
			}
			dst = utf8.AppendRune(dst, r)
			continue
		default:
			return dst, false
		}
		raw = raw[2:]
	}
	return dst, true
}

// hex4 reads four hex digits.
func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// appendLower appends b with its ASCII letters in lower case.
func appendLower(dst, b []byte) []byte {
	for _, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}
