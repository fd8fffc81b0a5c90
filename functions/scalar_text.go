package functions

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Text functions count characters (Unicode code points), not bytes, as PostgreSQL and DuckDB
// do; positions start at 1.

// textFunctions lists substr, split_part, trim, replace and the text tests.
func textFunctions() []*Scalar {
	substr := scalarEntry("substr", "(VARCHAR, BIGINT[, BIGINT]) -> VARCHAR", nullIfAny,
		"length characters from position start (to the end without length); a negative "+
			"start counts from the end",
		typesResolve("substr", Varchar, 1, Varchar, Bigint, Bigint), substrKernel)
	return []*Scalar{
		substr, alias(substr, "substring"),
		scalarEntry("split_part", "(VARCHAR, VARCHAR, BIGINT) -> VARCHAR", nullIfAny,
			"field n of the text split at the delimiter; a negative n counts from the end; "+
				"'' past the last",
			typesResolve("split_part", Varchar, 0, Varchar, Varchar, Bigint), splitPartKernel),
		trimFunction("trim", true, true), trimFunction("ltrim", true, false),
		trimFunction("rtrim", false, true),
		scalarEntry("replace", "(VARCHAR, VARCHAR, VARCHAR) -> VARCHAR", nullIfAny,
			"the text with every occurrence of from replaced by to",
			typesResolve("replace", Varchar, 0, Varchar, Varchar, Varchar), replaceKernel),
		textTest("starts_with", "whether the text starts with the prefix", strings.HasPrefix),
		textTest("ends_with", "whether the text ends with the suffix", strings.HasSuffix),
		textTest("contains", "whether the text contains the other", strings.Contains),
		scalarEntry("strpos", "(VARCHAR, VARCHAR) -> BIGINT", nullIfAny,
			"the position of the first occurrence of the other text, 0 when there is none",
			typesResolve("strpos", Bigint, 0, Varchar, Varchar), strposKernel),
		leftRight("left", false), leftRight("right", true),
	}
}

// strs returns the arguments as VARCHAR arrays (nil for the others).
func strs(args []arrow.Array) []*array.String {
	out := make([]*array.String, len(args))
	for i, a := range args {
		out[i], _ = a.(*array.String)
	}
	return out
}

// isASCII reports whether s has only one-byte characters.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// charSlice returns the characters [from, to) of s, 0-based and clamped to s.
func charSlice(s string, from, to int64) string {
	from = max(from, 0)
	if from >= to {
		return ""
	}
	if isASCII(s) {
		n := int64(len(s))
		return s[min(from, n):min(to, n)]
	}
	start, i := -1, int64(0)
	for b := range s {
		if i == from {
			start = b
		}
		if i == to {
			return s[start:b] // from < to, so start is set
		}
		i++
	}
	if start < 0 {
		return ""
	}
	return s[start:]
}

// charCount counts the characters of s.
func charCount(s string) int64 {
	if isASCII(s) {
		return int64(len(s))
	}
	return int64(utf8.RuneCountInString(s))
}

// substrKernel computes substr(text, start[, length]).
func substrKernel(mem memory.Allocator, args []arrow.Array, n int) (arrow.Array, error) {
	s := strs(args)[0]
	starts := int64Values(args[1])
	var lens []int64
	if len(args) == 3 {
		lens = int64Values(args[2])
	}
	return buildStrings(mem, n, len(s.ValueBytes()), args,
		func(i int, dst []byte) ([]byte, bool, error) {
			text, start := s.Value(i), starts[i]
			if start < 0 {
				start += charCount(text) + 1
			}
			end := int64(1 << 62)
			if lens != nil {
				if lens[i] < 0 {
					return dst, false, fmt.Errorf("%w: substr: negative length %d",
						ErrInvalidArgument, lens[i])
				}
				end = start + lens[i]
			}
			return append(dst, charSlice(text, start-1, end-1)...), true, nil
		})
}

// splitPartKernel computes split_part(text, delimiter, n).
func splitPartKernel(mem memory.Allocator, args []arrow.Array, n int) (arrow.Array, error) {
	ss := strs(args)
	nth := int64Values(args[2])
	return buildStrings(mem, n, len(ss[0].ValueBytes()), args,
		func(i int, dst []byte) ([]byte, bool, error) {
			text, sep, k := ss[0].Value(i), ss[1].Value(i), nth[i]
			if k == 0 {
				return dst, false, fmt.Errorf("%w: split_part: the field number must not be 0",
					ErrInvalidArgument)
			}
			if sep == "" { // the whole text is the one field
				if k == 1 || k == -1 {
					dst = append(dst, text...)
				}
				return dst, true, nil
			}
			if k < 0 {
				k += int64(strings.Count(text, sep)) + 2
				if k < 1 {
					return dst, true, nil
				}
			}
			for ; k > 1; k-- {
				j := strings.Index(text, sep)
				if j < 0 {
					return dst, true, nil
				}
				text = text[j+len(sep):]
			}
			if j := strings.Index(text, sep); j >= 0 {
				text = text[:j]
			}
			return append(dst, text...), true, nil
		})
}

// trimFunction makes trim, ltrim and rtrim: spaces by default, else any of the characters of
// the second argument.
func trimFunction(name string, left, right bool) *Scalar {
	side := "both ends"
	switch {
	case !left:
		side = "the end"
	case !right:
		side = "the start"
	}
	return scalarEntry(name, "(VARCHAR[, VARCHAR]) -> VARCHAR", nullIfAny,
		"the text without the spaces (or the given characters) at "+side,
		typesResolve(name, Varchar, 1, Varchar, Varchar),
		func(mem memory.Allocator, args []arrow.Array, n int) (arrow.Array, error) {
			ss := strs(args)
			return buildStrings(mem, n, len(ss[0].ValueBytes()), args,
				func(i int, dst []byte) ([]byte, bool, error) {
					text, cut := ss[0].Value(i), " "
					if len(ss) == 2 {
						cut = ss[1].Value(i)
					}
					if left {
						text = strings.TrimLeft(text, cut)
					}
					if right {
						text = strings.TrimRight(text, cut)
					}
					return append(dst, text...), true, nil
				})
		})
}

// replaceKernel computes replace(text, from, to); an empty from changes nothing.
func replaceKernel(mem memory.Allocator, args []arrow.Array, n int) (arrow.Array, error) {
	ss := strs(args)
	return buildStrings(mem, n, len(ss[0].ValueBytes()), args,
		func(i int, dst []byte) ([]byte, bool, error) {
			text, from, to := ss[0].Value(i), ss[1].Value(i), ss[2].Value(i)
			for from != "" {
				j := strings.Index(text, from)
				if j < 0 {
					break
				}
				dst = append(append(dst, text[:j]...), to...)
				text = text[j+len(from):]
			}
			return append(dst, text...), true, nil
		})
}

// textTest makes a BOOLEAN function of two texts.
func textTest(name, summary string, f func(s, other string) bool) *Scalar {
	return scalarEntry(name, "(VARCHAR, VARCHAR) -> BOOLEAN", nullIfAny, summary,
		typesResolve(name, Boolean, 0, Varchar, Varchar),
		func(mem memory.Allocator, args []arrow.Array, n int) (arrow.Array, error) {
			ss := strs(args)
			return buildBools(mem, n, args, func(i int) (bool, error) {
				return f(ss[0].Value(i), ss[1].Value(i)), nil
			})
		})
}

// strposKernel computes strpos(text, other) in characters.
func strposKernel(mem memory.Allocator, args []arrow.Array, n int) (arrow.Array, error) {
	ss := strs(args)
	return buildInt64s(mem, Bigint, n, args, func(i int) (int64, bool, error) {
		text := ss[0].Value(i)
		j := strings.Index(text, ss[1].Value(i))
		if j < 0 {
			return 0, true, nil
		}
		return charCount(text[:j]) + 1, true, nil
	})
}

// leftRight makes left(text, n) and right(text, n): the first or last n characters, or all
// but the last or first -n for a negative n, as in PostgreSQL.
func leftRight(name string, right bool) *Scalar {
	summary := "the first n characters; all but the last -n for a negative n"
	if right {
		summary = "the last n characters; all but the first -n for a negative n"
	}
	return scalarEntry(name, "(VARCHAR, BIGINT) -> VARCHAR", nullIfAny, summary,
		typesResolve(name, Varchar, 0, Varchar, Bigint),
		func(mem memory.Allocator, args []arrow.Array, n int) (arrow.Array, error) {
			s, counts := strs(args)[0], int64Values(args[1])
			return buildStrings(mem, n, len(s.ValueBytes()), args,
				func(i int, dst []byte) ([]byte, bool, error) {
					text, k := s.Value(i), counts[i]
					size := charCount(text)
					from, to := int64(0), k
					if k < 0 {
						to = size + k
					}
					if right {
						from, to = size-k, size
						if k < 0 {
							from = -k
						}
					}
					return append(dst, charSlice(text, from, to)...), true, nil
				})
		})
}
