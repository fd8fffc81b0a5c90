package functions

import (
	"fmt"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Time functions work on microseconds since the epoch in UTC with the calendar arithmetic of
// timeparse.go; days and weeks are UTC days, and weeks start on Monday (ISO 8601).

// timeFields are the calendar fields of a TIMESTAMP.
type timeFields struct {
	days                        int64 // since 1970-01-01
	year, month, day            int64
	hour, minute, second, micro int64
}

func fieldsOf(us int64) timeFields {
	f := timeFields{days: floorDiv(us, usPerDay)}
	rem := us - f.days*usPerDay
	f.year, f.month, f.day = civilFromDays(f.days)
	f.hour, f.minute = rem/usPerHour, rem/usPerMinute%60
	f.second, f.micro = rem/usPerSecond%60, rem%usPerSecond
	return f
}

// floorMod is the remainder of floorDiv, never negative for a positive b.
func floorMod(a, b int64) int64 { return a - floorDiv(a, b)*b }

// isoWeekday is 1 for Monday to 7 for Sunday (1970-01-01 was a Thursday).
func isoWeekday(days int64) int64 { return floorMod(days+3, 7) + 1 }

// isoWeek returns the ISO 8601 year and week of a day: weeks start on Monday, and week 1 is
// the one holding the year's first Thursday.
func isoWeek(days int64) (year, week int64) {
	thursday := days - isoWeekday(days) + 4
	year, _, _ = civilFromDays(thursday)
	return year, (thursday-daysFromCivil(year, 1, 1))/7 + 1
}

// datePart computes one field of date_part.
type datePart func(us int64) int64

// dateParts are the fields date_part knows, by name; plurals are accepted too.
var dateParts = map[string]datePart{
	"year":      func(us int64) int64 { return fieldsOf(us).year },
	"quarter":   func(us int64) int64 { return (fieldsOf(us).month-1)/3 + 1 },
	"month":     func(us int64) int64 { return fieldsOf(us).month },
	"week":      func(us int64) int64 { _, w := isoWeek(floorDiv(us, usPerDay)); return w },
	"isoyear":   func(us int64) int64 { y, _ := isoWeek(floorDiv(us, usPerDay)); return y },
	"day":       func(us int64) int64 { return fieldsOf(us).day },
	"dayofweek": func(us int64) int64 { return floorMod(floorDiv(us, usPerDay)+4, 7) },
	"isodow":    func(us int64) int64 { return isoWeekday(floorDiv(us, usPerDay)) },
	"dayofyear": func(us int64) int64 {
		f := fieldsOf(us)
		return f.days - daysFromCivil(f.year, 1, 1) + 1
	},
	"hour":   func(us int64) int64 { return fieldsOf(us).hour },
	"minute": func(us int64) int64 { return fieldsOf(us).minute },
	"second": func(us int64) int64 { return fieldsOf(us).second },
	"millisecond": func(us int64) int64 {
		f := fieldsOf(us)
		return f.second*1000 + f.micro/1000
	},
	"microsecond": func(us int64) int64 {
		f := fieldsOf(us)
		return f.second*usPerSecond + f.micro
	},
	"epoch":      func(us int64) int64 { return floorDiv(us, usPerSecond) },
	"decade":     func(us int64) int64 { return floorDiv(fieldsOf(us).year, 10) },
	"century":    func(us int64) int64 { return floorDiv(fieldsOf(us).year-1, 100) + 1 },
	"millennium": func(us int64) int64 { return floorDiv(fieldsOf(us).year-1, 1000) + 1 },
}

// partAliases are other names of the fields, as PostgreSQL and DuckDB accept them.
var partAliases = map[string]string{
	"dow": "dayofweek", "doy": "dayofyear", "ms": "millisecond", "us": "microsecond",
	"yr": "year", "mon": "month", "hr": "hour", "min": "minute", "sec": "second",
}

// partName normalises a field name: lower case, singular, aliases resolved.
func partName(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if a, ok := partAliases[s]; ok {
		return a
	}
	if _, ok := dateParts[s]; !ok && strings.HasSuffix(s, "s") {
		s = s[:len(s)-1]
		if a, ok := partAliases[s]; ok {
			return a
		}
	}
	return s
}

// lookupPart finds a date_part field, for the function name.
func lookupPart(name, part string) (datePart, error) {
	if f, ok := dateParts[partName(part)]; ok {
		return f, nil
	}
	return nil, fmt.Errorf("%w: %s: unknown part %q (expected year, quarter, month, week, "+
		"day, dayofweek, isodow, dayofyear, hour, minute, second, millisecond, microsecond, "+
		"epoch, ...)", ErrInvalidArgument, name, part)
}

// truncate rounds us down to the start of its unit.
type truncate func(us int64) int64

// truncUnits are the units date_trunc knows.
var truncUnits = map[string]truncate{
	"microsecond": func(us int64) int64 { return us },
	"millisecond": func(us int64) int64 { return floorDiv(us, 1000) * 1000 },
	"second":      func(us int64) int64 { return floorDiv(us, usPerSecond) * usPerSecond },
	"minute":      func(us int64) int64 { return floorDiv(us, usPerMinute) * usPerMinute },
	"hour":        func(us int64) int64 { return floorDiv(us, usPerHour) * usPerHour },
	"day":         func(us int64) int64 { return floorDiv(us, usPerDay) * usPerDay },
	"week": func(us int64) int64 {
		days := floorDiv(us, usPerDay)
		return (days - isoWeekday(days) + 1) * usPerDay
	},
	"month":      yearTrunc(1, 0),
	"quarter":    yearTrunc(3, 0),
	"year":       yearTrunc(12, 1),
	"decade":     yearTrunc(12, 10),
	"century":    yearTrunc(12, 100),
	"millennium": yearTrunc(12, 1000),
}

// yearTrunc truncates to the first day of a group of months (1 for a month, 3 for a
// quarter) or, when years > 0, of a group of years (a decade starts in a year ending in 0, a
// century in one ending in 01, as in PostgreSQL).
func yearTrunc(months, years int64) truncate {
	return func(us int64) int64 {
		f := fieldsOf(us)
		y, m := f.year, (f.month-1)/months*months+1
		switch {
		case years == 10:
			y = floorDiv(y, 10) * 10
		case years > 1:
			y = floorDiv(y-1, years)*years + 1
		}
		return daysFromCivil(y, m, 1) * usPerDay
	}
}

// datetimeFunctions lists date_trunc, date_part and its shorthands, strptime, strftime and
// now.
func datetimeFunctions() []*Scalar {
	out := []*Scalar{
		scalarEntry("date_trunc", "(VARCHAR, TIMESTAMP) -> TIMESTAMP", nullIfAny,
			"the timestamp rounded down to the start of its unit: microsecond to millennium, "+
				"weeks on Monday",
			typesResolve("date_trunc", Timestamp, 0, Varchar, Timestamp), dateTruncKernel),
		scalarEntry("date_part", "(VARCHAR, TIMESTAMP) -> BIGINT", nullIfAny,
			"a field of the timestamp: year, quarter, month, week (ISO), day, dayofweek "+
				"(Sunday 0), isodow, dayofyear, hour, minute, second, millisecond, epoch, ...",
			typesResolve("date_part", Bigint, 0, Varchar, Timestamp), datePartKernel),
		strptime("strptime", false), strptime("try_strptime", true),
		scalarEntry("strftime", "(TIMESTAMP, VARCHAR) -> VARCHAR", nullIfAny,
			"the timestamp written with a C format such as '%Y-%m-%d %H:%M:%S' (in UTC)",
			typesResolve("strftime", Varchar, 0, Timestamp, Varchar), strftimeKernel),
		now,
	}
	for _, p := range []string{"year", "quarter", "month", "week", "day", "dayofweek",
		"dayofyear", "hour", "minute", "second"} {
		out = append(out, partShorthand(p))
	}
	return out
}

// dateTruncKernel computes date_trunc(unit, ts).
func dateTruncKernel(mem memory.Allocator, args []arrow.Array, n int) (arrow.Array, error) {
	units, ts := args[0].(*array.String), int64Values(args[1])
	last, f := "", truncate(nil)
	return buildInt64s(mem, Timestamp, n, args, func(i int) (int64, bool, error) {
		if u := units.Value(i); f == nil || u != last {
			var ok bool
			if f, ok = truncUnits[partName(u)]; !ok {
				return 0, false, fmt.Errorf("%w: date_trunc: unknown unit %q (expected "+
					"microsecond, millisecond, second, minute, hour, day, week, month, quarter, "+
					"year, decade, century or millennium)", ErrInvalidArgument, u)
			}
			last = u
		}
		return f(ts[i]), true, nil
	})
}

// datePartKernel computes date_part(part, ts).
func datePartKernel(mem memory.Allocator, args []arrow.Array, n int) (arrow.Array, error) {
	parts, ts := args[0].(*array.String), int64Values(args[1])
	last, f := "", datePart(nil)
	return buildInt64s(mem, Bigint, n, args, func(i int) (int64, bool, error) {
		if p := parts.Value(i); f == nil || p != last {
			var err error
			if f, err = lookupPart("date_part", p); err != nil {
				return 0, false, err
			}
			last = p
		}
		return f(ts[i]), true, nil
	})
}

// partShorthand makes year(ts) and its like: date_part with a fixed field.
func partShorthand(part string) *Scalar {
	f := dateParts[part]
	return scalarEntry(part, "(TIMESTAMP) -> BIGINT", nullIfArgIs,
		"date_part('"+part+"', ts)",
		typesResolve(part, Bigint, 0, Timestamp),
		func(mem memory.Allocator, args []arrow.Array, n int) (arrow.Array, error) {
			ts := int64Values(args[0])
			return buildInt64s(mem, Bigint, n, args, func(i int) (int64, bool, error) {
				return f(ts[i]), true, nil
			})
		})
}

// now is the processing time: the clock when the batch is computed.
var now = &Scalar{
	Name:     "now",
	Args:     "() -> TIMESTAMP",
	NullRule: "never NULL",
	Summary:  "the current processing time (the wall clock), the same for every row of a batch",
	Resolve:  typesResolve("now", Timestamp, 0),
	Eval: func(mem memory.Allocator, args []arrow.Array, n int) (arrow.Array, error) {
		if len(args) != 0 {
			return nil, errSignature("now expects no argument, got %d", len(args))
		}
		return Constant(mem, Timestamp, time.Now().UnixMicro(), n)
	},
}

// strptime makes strptime (an unreadable text is an error) and try_strptime (NULL).
func strptime(name string, try bool) *Scalar {
	rule, summary := nullIfAny, "the TIMESTAMP a text gives read with a C format such as "+
		"'%d/%m/%Y %H:%M:%S' (UTC unless %z reads an offset); an unreadable text is an error"
	if try {
		rule = "NULL if any argument is NULL or the text does not match the format"
		summary = "strptime, but NULL where the text does not match the format"
	}
	return scalarEntry(name, "(VARCHAR, VARCHAR) -> TIMESTAMP", rule, summary,
		typesResolve(name, Timestamp, 0, Varchar, Varchar),
		func(mem memory.Allocator, args []arrow.Array, n int) (arrow.Array, error) {
			ss := strs(args)
			var lastFormat string
			var layout []formatOp
			return buildInt64s(mem, Timestamp, n, args, func(i int) (int64, bool, error) {
				if f := ss[1].Value(i); layout == nil || f != lastFormat {
					var err error
					if layout, err = compileFormat(name, f); err != nil {
						return 0, false, err
					}
					lastFormat = f
				}
				text := ss[0].Value(i)
				us, ok := parseWithFormat(text, layout)
				if !ok && !try {
					return 0, false, fmt.Errorf("%w: %s: %q does not match the format %q",
						ErrConversion, name, text, lastFormat)
				}
				return us, ok, nil
			})
		})
}

// strftimeKernel computes strftime(ts, format).
func strftimeKernel(mem memory.Allocator, args []arrow.Array, n int) (arrow.Array, error) {
	ts, formats := int64Values(args[0]), args[1].(*array.String)
	var lastFormat string
	var layout []formatOp
	return buildStrings(mem, n, 32*n, args, func(i int, dst []byte) ([]byte, bool, error) {
		if f := formats.Value(i); layout == nil || f != lastFormat {
			var err error
			if layout, err = compileFormat("strftime", f); err != nil {
				return dst, false, err
			}
			lastFormat = f
		}
		return appendWithFormat(dst, ts[i], layout), true, nil
	})
}
