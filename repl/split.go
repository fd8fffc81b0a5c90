package repl

import "strings"

// Split cuts the complete statements off the front of text. A statement is complete at a
// semicolon outside '...' strings (where ” is a quote), "..." identifiers, -- line comments
// and /* */ comments. Each statement is returned with its semicolon and without the blanks
// before it; statements holding nothing but blanks and comments are left out. rest is what
// follows the last complete statement: the start of one still being typed, or "" when only
// blanks and complete comments remain.
func Split(text string) (stmts []string, rest string) {
	start := 0
	for i := 0; i < len(text); {
		next, ok := skipQuoted(text, i)
		if !ok {
			break // an open quote or comment runs to the end
		}
		if next > i {
			i = next
			continue
		}
		if text[i] == ';' {
			if st := strings.TrimLeft(text[start:i+1], " \t\r\n"); !Blank(st[:len(st)-1]) {
				stmts = append(stmts, st)
			}
			start = i + 1
		}
		i++
	}
	rest = text[start:]
	if Blank(rest) {
		rest = ""
	}
	return stmts, rest
}

// Blank reports whether text holds only white space and complete comments.
func Blank(text string) bool {
	for i := 0; i < len(text); {
		switch text[i] {
		case ' ', '\t', '\r', '\n':
			i++
			continue
		}
		if !strings.HasPrefix(text[i:], "--") && !strings.HasPrefix(text[i:], "/*") {
			return false
		}
		next, ok := skipQuoted(text, i)
		if !ok {
			return false
		}
		i = next
	}
	return true
}

// skipQuoted returns the index just past the string, quoted identifier or comment that starts
// at text[i], or i when none starts there. ok is false when it is not closed before the end
// of text.
func skipQuoted(text string, i int) (next int, ok bool) {
	switch {
	case text[i] == '\'' || text[i] == '"':
		// A doubled quote inside closes and reopens at once, which needs no special case.
		end := strings.IndexByte(text[i+1:], text[i])
		if end < 0 {
			return len(text), false
		}
		return i + 1 + end + 1, true
	case strings.HasPrefix(text[i:], "--"):
		end := strings.IndexByte(text[i:], '\n')
		if end < 0 {
			return len(text), true // a line comment ends with the text
		}
		return i + end + 1, true
	case strings.HasPrefix(text[i:], "/*"):
		end := strings.Index(text[i+2:], "*/")
		if end < 0 {
			return len(text), false
		}
		return i + 2 + end + 2, true
	}
	return i, true
}
