package functions

import (
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Regular expressions use RE2 syntax (Go's regexp, as DuckDB's RE2): no backreferences, and
// linear time whatever the input. A pattern is compiled once and kept in a small cache, since
// it is nearly always a constant repeated on every row.

// regexpCache maps pattern text to its compiled form; it is emptied when it grows past
// regexpCacheSize, so that patterns computed per row cannot fill memory.
var (
	regexpCache     sync.Map
	regexpCacheSize = 256
	regexpCached    int
	regexpMu        sync.Mutex
)

// compileRegexp compiles a pattern through the cache; name is the function, for errors.
func compileRegexp(name, pattern string) (*regexp.Regexp, error) {
	if re, ok := regexpCache.Load(pattern); ok {
		return re.(*regexp.Regexp), nil
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: invalid regular expression %q: %v", ErrInvalidArgument,
			name, pattern, strings.TrimPrefix(err.Error(), "error parsing regexp: "))
	}
	regexpMu.Lock()
	defer regexpMu.Unlock()
	if regexpCached >= regexpCacheSize {
		regexpCache.Clear()
		regexpCached = 0
	}
	regexpCache.Store(pattern, re)
	regexpCached++
	return re, nil
}

// regexpFunctions lists regexp_match (with DuckDB's name regexp_matches), regexp_extract and
// regexp_replace.
func regexpFunctions() []*Scalar {
	match := scalarEntry("regexp_match", "(VARCHAR, VARCHAR) -> BOOLEAN", nullIfAny,
		"whether the pattern (RE2 syntax) matches anywhere in the text",
		typesResolve("regexp_match", Boolean, 0, Varchar, Varchar), regexpMatchKernel)
	return []*Scalar{
		match, alias(match, "regexp_matches"),
		scalarEntry("regexp_extract", "(VARCHAR, VARCHAR[, BIGINT]) -> VARCHAR", nullIfAny,
			"the first match of the pattern, or its capture group n; '' when it does not match",
			typesResolve("regexp_extract", Varchar, 1, Varchar, Varchar, Bigint),
			regexpExtractKernel),
		scalarEntry("regexp_replace", "(VARCHAR, VARCHAR, VARCHAR[, VARCHAR]) -> VARCHAR",
			nullIfAny, "the text with the first match (every match with option 'g') replaced; "+
				"\\1 in the replacement is group 1; option 'i' ignores case",
			typesResolve("regexp_replace", Varchar, 1, Varchar, Varchar, Varchar, Varchar),
			regexpReplaceKernel),
	}
}

// regexpMatchKernel computes regexp_match(text, pattern).
func regexpMatchKernel(mem memory.Allocator, args []arrow.Array, n int) (arrow.Array, error) {
	ss := strs(args)
	return buildBools(mem, n, args, func(i int) (bool, error) {
		re, err := compileRegexp("regexp_match", ss[1].Value(i))
		if err != nil {
			return false, err
		}
		return re.MatchString(ss[0].Value(i)), nil
	})
}

// regexpExtractKernel computes regexp_extract(text, pattern[, group]).
func regexpExtractKernel(mem memory.Allocator, args []arrow.Array, n int) (arrow.Array, error) {
	ss := strs(args)
	var groups []int64
	if len(args) == 3 {
		groups = int64Values(args[2])
	}
	return buildStrings(mem, n, len(ss[0].ValueBytes()), args,
		func(i int, dst []byte) ([]byte, bool, error) {
			re, err := compileRegexp("regexp_extract", ss[1].Value(i))
			if err != nil {
				return dst, false, err
			}
			g := int64(0)
			if groups != nil {
				g = groups[i]
			}
			if g < 0 || g > int64(re.NumSubexp()) {
				return dst, false, fmt.Errorf("%w: regexp_extract: the pattern has no group %d",
					ErrInvalidArgument, g)
			}
			text := ss[0].Value(i)
			m := re.FindStringSubmatchIndex(text)
			if m == nil || m[2*g] < 0 {
				return dst, true, nil
			}
			return append(dst, text[m[2*g]:m[2*g+1]]...), true, nil
		})
}

// regexpReplaceKernel computes regexp_replace(text, pattern, replacement[, options]).
func regexpReplaceKernel(mem memory.Allocator, args []arrow.Array, n int) (arrow.Array, error) {
	ss := strs(args)
	return buildStrings(mem, n, len(ss[0].ValueBytes()), args,
		func(i int, dst []byte) ([]byte, bool, error) {
			pattern, global := ss[1].Value(i), false
			if len(ss) == 4 {
				for _, o := range ss[3].Value(i) {
					switch o {
					case 'g':
						global = true
					case 'i':
						pattern = "(?i)" + pattern
					default:
						return dst, false, fmt.Errorf("%w: regexp_replace: unknown option %q "+
							"(expected g or i)", ErrInvalidArgument, o)
					}
				}
			}
			re, err := compileRegexp("regexp_replace", pattern)
			if err != nil {
				return dst, false, err
			}
			text, repl := ss[0].Value(i), goTemplate(ss[2].Value(i))
			if global {
				return append(dst, re.ReplaceAllString(text, repl)...), true, nil
			}
			m := re.FindStringSubmatchIndex(text)
			if m == nil {
				return append(dst, text...), true, nil
			}
			dst = re.ExpandString(append(dst, text[:m[0]]...), repl, text, m)
			return append(dst, text[m[1]:]...), true, nil
		})
}

// goTemplate turns a replacement written with \1 (and \\ for a backslash) into Go's ${1}
// template; a $ stays literal.
func goTemplate(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '$':
			b.WriteString("$$")
		case c == '\\' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9':
			b.WriteString("${")
			b.WriteByte(s[i+1])
			b.WriteString("}")
			i++
		case c == '\\' && i+1 < len(s) && s[i+1] == '\\':
			b.WriteByte('\\')
			i++
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
