package functions

import (
	"fmt"
	"strings"
)

// The C formats of strptime and strftime, as DuckDB and Python read them:
//
//	%Y year  %m month  %d day  %e day (space-padded)  %H hour  %I hour (12)  %p AM/PM
//	%M minute  %S second  %f fraction (up to 9 digits read; 6 written)  %g milliseconds
//	%n nanoseconds  %z offset (+02:00, +0200, Z)  %Z zone name (UTC, GMT)  %b %h %B month name
//	%a %A weekday name  %j day of year  %y two-digit year (69-99: 19xx)  %s epoch seconds
//	%u ISO weekday  %w weekday (Sunday 0)  %V ISO week  %G ISO year  %T %H:%M:%S
//	%D %m/%d/%y  %F %Y-%m-%d  %R %H:%M  %% a percent sign
//
// In strptime a space in the format matches any run of white space, also none.

// formatOp is one step of a compiled format: a directive letter, or literal text (verb 0).
type formatOp struct {
	verb byte
	lit  string
}

// formatVerbs are the directives compileFormat knows.
const formatVerbs = "YmdeHIpMSfgnzZbhBaAjysuwVG%"

// formatExpansions are the directives that stand for others.
var formatExpansions = map[byte]string{'T': "%H:%M:%S", 'D': "%m/%d/%y", 'F': "%Y-%m-%d",
	'R': "%H:%M"}

// compileFormat reads a format; name is the function, for errors.
func compileFormat(name, f string) ([]formatOp, error) {
	for k, v := range formatExpansions {
		f = strings.ReplaceAll(f, "%"+string(k), v)
	}
	ops := []formatOp{}
	for i := 0; i < len(f); i++ {
		c := f[i]
		if c != '%' {
			if n := len(ops); n > 0 && ops[n-1].verb == 0 {
				ops[n-1].lit += string(c)
			} else {
				ops = append(ops, formatOp{lit: string(c)})
			}
			continue
		}
		if i+1 == len(f) || !strings.Contains(formatVerbs, string(f[i+1])) {
			d := "%"
			if i+1 < len(f) {
				d += string(f[i+1])
			}
			return nil, fmt.Errorf("%w: %s: unknown directive %q in format %q",
				ErrInvalidArgument, name, d, f)
		}
		i++
		if f[i] == '%' {
			ops = append(ops, formatOp{lit: "%"})
			continue
		}
		ops = append(ops, formatOp{verb: f[i]})
	}
	return ops, nil
}

var (
	monthNames = []string{"January", "February", "March", "April", "May", "June", "July",
		"August", "September", "October", "November", "December"}
	dayNames = []string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
		"Saturday"}
)

// parsed gathers the fields strptime reads.
type parsed struct {
	year, month, day, hour, minute, second, frac, offset, doy int64
	pm, twelve, hasEpoch                                      bool
	epoch                                                     int64
}

// parseWithFormat reads text with a compiled format and returns microseconds since the epoch.
func parseWithFormat(text string, ops []formatOp) (int64, bool) {
	p := parsed{year: 1900, month: 1, day: 1}
	s := text
	for _, op := range ops {
		var ok bool
		if op.verb == 0 {
			s, ok = matchLiteral(s, op.lit)
		} else {
			s, ok = p.read(s, op.verb)
		}
		if !ok {
			return 0, false
		}
	}
	if s != "" {
		return 0, false
	}
	return p.micros()
}

// matchLiteral matches literal format text: white space matches any run of white space.
func matchLiteral(s, lit string) (string, bool) {
	for i := 0; i < len(lit); i++ {
		if isSpace(lit[i]) {
			s = strings.TrimLeft(s, " \t\n\r\f\v")
			continue
		}
		if s == "" || s[0] != lit[i] {
			return s, false
		}
		s = s[1:]
	}
	return s, true
}

func isSpace(c byte) bool { return c == ' ' || c >= '\t' && c <= '\r' }

// number reads between 1 and max digits at the start of s, with a sign when signed.
func number(s string, max int, signed bool) (int64, string, bool) {
	neg := false
	if signed && s != "" && (s[0] == '-' || s[0] == '+') {
		neg, s = s[0] == '-', s[1:]
	}
	i, v := 0, int64(0)
	for ; i < len(s) && i < max && isDigit(s[i]); i++ {
		v = v*10 + int64(s[i]-'0')
	}
	if i == 0 {
		return 0, s, false
	}
	if neg {
		v = -v
	}
	return v, s[i:], true
}

// name reads one of names (or its first three letters) at the start of s, ignoring case, and
// returns its index.
func name(s string, names []string) (int, string, bool) {
	for i, n := range names {
		if len(s) >= len(n) && strings.EqualFold(s[:len(n)], n) {
			return i, s[len(n):], true
		}
	}
	for i, n := range names {
		if len(s) >= 3 && strings.EqualFold(s[:3], n[:3]) {
			return i, s[3:], true
		}
	}
	return 0, s, false
}

// read reads the field of one directive.
func (p *parsed) read(s string, verb byte) (string, bool) {
	var v int64
	ok := true
	switch verb {
	case 'Y':
		p.year, s, ok = number(s, 4, true)
	case 'G':
		p.year, s, ok = number(s, 4, true)
	case 'y':
		if v, s, ok = number(s, 2, false); ok {
			p.year = 2000 + v
			if v >= 69 {
				p.year = 1900 + v
			}
		}
	case 'm':
		p.month, s, ok = number(s, 2, false)
	case 'd':
		p.day, s, ok = number(s, 2, false)
	case 'e':
		p.day, s, ok = number(strings.TrimLeft(s, " "), 2, false)
	case 'H':
		p.hour, s, ok = number(s, 2, false)
	case 'I':
		p.hour, s, ok = number(s, 2, false)
		p.twelve = true
	case 'M':
		p.minute, s, ok = number(s, 2, false)
	case 'S':
		p.second, s, ok = number(s, 2, false)
	case 'f', 'g', 'n':
		s, ok = p.readFraction(s)
	case 'p':
		switch {
		case len(s) >= 2 && strings.EqualFold(s[:2], "AM"):
		case len(s) >= 2 && strings.EqualFold(s[:2], "PM"):
			p.pm = true
		default:
			return s, false
		}
		s = s[2:]
		p.twelve = true
	case 'z':
		s, ok = p.readOffset(s)
	case 'Z':
		for _, z := range []string{"UTC", "GMT", "Z"} {
			if strings.HasPrefix(strings.ToUpper(s), z) {
				return s[len(z):], true
			}
		}
		return s, false
	case 'b', 'h', 'B':
		var m int
		m, s, ok = name(s, monthNames)
		p.month = int64(m + 1)
	case 'a', 'A':
		_, s, ok = name(s, dayNames)
	case 'j':
		p.doy, s, ok = number(s, 3, false)
	case 's':
		p.epoch, s, ok = number(s, 19, true)
		p.hasEpoch = true
	case 'u', 'w', 'V':
		_, s, ok = number(s, 2, false) // read and left out: the date says it
	}
	return s, ok
}

// readFraction reads the digits of a fraction of a second, keeping microseconds.
func (p *parsed) readFraction(s string) (string, bool) {
	i, v := 0, int64(0)
	for ; i < len(s) && i < 9 && isDigit(s[i]); i++ {
		if i < 6 {
			v = v*10 + int64(s[i]-'0')
		}
	}
	if i == 0 {
		return s, false
	}
	for k := min(i, 6); k < 6; k++ {
		v *= 10
	}
	p.frac = v
	return s[i:], true
}

// readOffset reads Z or an offset +HH, +HHMM, +HH:MM.
func (p *parsed) readOffset(s string) (string, bool) {
	if s != "" && (s[0] == 'Z' || s[0] == 'z') {
		return s[1:], true
	}
	if s == "" || s[0] != '+' && s[0] != '-' {
		return s, false
	}
	sign := int64(1)
	if s[0] == '-' {
		sign = -1
	}
	h, ok := digits(s, 1, 2)
	if !ok {
		return s, false
	}
	s = s[3:]
	var m int64
	if len(s) >= 3 && s[0] == ':' {
		if m, ok = digits(s, 1, 2); ok {
			s = s[3:]
		}
	} else if m, ok = digits(s, 0, 2); ok {
		s = s[2:]
	}
	if h > 23 || m > 59 {
		return s, false
	}
	p.offset = sign * (h*usPerHour + m*usPerMinute)
	return s, true
}

// micros checks the fields and computes the timestamp.
func (p *parsed) micros() (int64, bool) {
	if p.hasEpoch {
		v, o := mul64(p.epoch, usPerSecond)
		return v + p.frac, o >= 0
	}
	if p.twelve {
		if p.hour < 1 || p.hour > 12 {
			return 0, false
		}
		p.hour %= 12
		if p.pm {
			p.hour += 12
		}
	}
	if p.hour > 23 || p.minute > 59 || p.second > 59 {
		return 0, false
	}
	days := daysFromCivil(p.year, p.month, p.day)
	if p.doy > 0 {
		if p.doy > 365+b2i64(daysInMonth(p.year, 2) == 29) {
			return 0, false
		}
		days = daysFromCivil(p.year, 1, 1) + p.doy - 1
	} else if !validDate(p.year, p.month, p.day) {
		return 0, false
	}
	return days*usPerDay + p.hour*usPerHour + p.minute*usPerMinute + p.second*usPerSecond +
		p.frac - p.offset, true
}

func b2i64(b bool) int64 { return int64(b2i(b)) }

// appendWithFormat writes a timestamp with a compiled format.
func appendWithFormat(dst []byte, us int64, ops []formatOp) []byte {
	f := fieldsOf(us)
	for _, op := range ops {
		if op.verb == 0 {
			dst = append(dst, op.lit...)
			continue
		}
		dst = f.appendVerb(dst, op.verb, us)
	}
	return dst
}

// appendVerb writes the field of one directive.
func (f timeFields) appendVerb(dst []byte, verb byte, us int64) []byte {
	switch verb {
	case 'Y':
		if f.year < 0 {
			return appendPadded(append(dst, '-'), -f.year, 4)
		}
		return appendPadded(dst, f.year, 4)
	case 'G':
		y, _ := isoWeek(f.days)
		return appendPadded(dst, y, 4)
	case 'y':
		return appendPadded(dst, floorMod(f.year, 100), 2)
	case 'm':
		return appendPadded(dst, f.month, 2)
	case 'd':
		return appendPadded(dst, f.day, 2)
	case 'e':
		if f.day < 10 {
			dst = append(dst, ' ')
		}
		return appendInt(dst, f.day)
	case 'H':
		return appendPadded(dst, f.hour, 2)
	case 'I':
		return appendPadded(dst, (f.hour+11)%12+1, 2)
	case 'p':
		if f.hour < 12 {
			return append(dst, "AM"...)
		}
		return append(dst, "PM"...)
	case 'M':
		return appendPadded(dst, f.minute, 2)
	case 'S':
		return appendPadded(dst, f.second, 2)
	case 'f':
		return appendPadded(dst, f.micro, 6)
	case 'g':
		return appendPadded(dst, f.micro/1000, 3)
	case 'n':
		return appendPadded(dst, f.micro*1000, 9)
	case 'z':
		return append(dst, "+0000"...)
	case 'Z':
		return append(dst, "UTC"...)
	case 'b', 'h':
		return append(dst, monthNames[f.month-1][:3]...)
	case 'B':
		return append(dst, monthNames[f.month-1]...)
	case 'a':
		return append(dst, dayNames[floorMod(f.days+4, 7)][:3]...)
	case 'A':
		return append(dst, dayNames[floorMod(f.days+4, 7)]...)
	case 'j':
		return appendPadded(dst, f.days-daysFromCivil(f.year, 1, 1)+1, 3)
	case 's':
		s := floorDiv(us, usPerSecond)
		if s < 0 {
			return appendInt(append(dst, '-'), -s)
		}
		return appendInt(dst, s)
	case 'u':
		return appendInt(dst, isoWeekday(f.days))
	case 'w':
		return appendInt(dst, floorMod(f.days+4, 7))
	case 'V':
		_, w := isoWeek(f.days)
		return appendPadded(dst, w, 2)
	}
	return dst
}
