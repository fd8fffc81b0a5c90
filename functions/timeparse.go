package functions

// Timestamps are int64 microseconds since 1970-01-01T00:00:00Z. Parsing and printing work on
// calendar arithmetic alone, so the host's time zone never matters and no value goes through
// the time package on the hot path.

import "unsafe"

const (
	usPerSecond = 1_000_000
	usPerMinute = 60 * usPerSecond
	usPerHour   = 60 * usPerMinute
	usPerDay    = 24 * usPerHour
)

// ParseTimestamp reads a timestamp text and returns it as microseconds since the Unix epoch in
// UTC. It accepts
//
//	2015-09-12T00:46:58.771Z          RFC 3339, any offset (Z, +02:00, -0700, +02), any fraction
//	2015-09-12 00:46:58[.f][ zone]    UTC when no zone is given
//	2015-09-12T00:46:58               UTC
//	2015-09-12                        midnight UTC
//	2015/09/12 00:46:58[.ff]          slashes instead of dashes
//	17/May/2015:10:05:03 +0000        the Apache access log's format
//
// Seconds may be left out (2015-09-12 00:46), a fraction may use a comma, and the zone may be
// Z, UTC or GMT. Digits of a fraction past the sixth are truncated. It reports false for any
// other text and for impossible dates or times (2024-13-01, 2023-02-29, 24:00:00).
func ParseTimestamp(s string) (int64, bool) {
	if len(s) >= 20 && s[2] == '/' {
		return parseApache(s)
	}
	return parseISO(s)
}

// parseISO reads the year-first forms.
func parseISO(s string) (int64, bool) {
	date, ok := parseISODate(s)
	if !ok {
		return 0, false
	}
	return parseISOTime(date, s)
}

// parseISODate reads the date of a year-first form, as microseconds at its midnight.
func parseISODate(s string) (int64, bool) {
	if len(s) < 10 {
		return 0, false
	}
	sep := s[4]
	if sep != '-' && sep != '/' || s[7] != sep {
		return 0, false
	}
	year, ok1 := digits(s, 0, 4)
	month, ok2 := digits(s, 5, 2)
	day, ok3 := digits(s, 8, 2)
	if !ok1 || !ok2 || !ok3 || !validDate(year, month, day) {
		return 0, false
	}
	return daysFromCivil(year, month, day) * usPerDay, true
}

// parseISOTime reads what follows the date of a year-first form s, whose date is date.
func parseISOTime(date int64, s string) (int64, bool) {
	if len(s) == 10 {
		return date, true
	}
	if c := s[10]; c != 'T' && c != 't' && c != ' ' {
		return 0, false
	}
	clock, rest, ok := parseClock(s[11:], true)
	if !ok {
		return 0, false
	}
	offset, ok := parseZone(rest)
	if !ok {
		return 0, false
	}
	return date + clock - offset, true
}

// TimestampParser is ParseTimestamp for a column of timestamps: it remembers the last date
// it read, so that a run of timestamps of one day reads the date once. The zero value is
// ready.
type TimestampParser struct {
	date [10]byte
	us   int64
	set  bool
}

// Parse is ParseTimestamp(string(b)).
func (p *TimestampParser) Parse(b []byte) (int64, bool) {
	if len(b) < 10 || b[2] == '/' {
		return ParseTimestamp(string(b))
	}
	// The parsers read s and keep none of it, so it may share b's bytes rather than copy
	// them, as string(b) would for every value.
	s := unsafe.String(unsafe.SliceData(b), len(b))
	if !p.set || s[:10] != string(p.date[:]) {
		date, ok := parseISODate(s)
		if !ok {
			return 0, false
		}
		copy(p.date[:], b)
		p.us, p.set = date, true
	}
	return parseISOTime(p.us, s)
}

// parseApache reads dd/Mon/yyyy:HH:MM:SS followed by an optional zone such as " +0000".
func parseApache(s string) (int64, bool) {
	if s[6] != '/' || s[11] != ':' {
		return 0, false
	}
	day, ok1 := digits(s, 0, 2)
	month := monthByName(s[3:6])
	year, ok2 := digits(s, 7, 4)
	if !ok1 || !ok2 || month == 0 || !validDate(year, month, day) {
		return 0, false
	}
	clock, rest, ok := parseClock(s[12:], false)
	if !ok {
		return 0, false
	}
	offset, ok := parseZone(rest)
	if !ok {
		return 0, false
	}
	return daysFromCivil(year, month, day)*usPerDay + clock - offset, true
}

// parseClock reads HH:MM[:SS[.f]] at the start of s and returns the time of day in
// microseconds and the text after it. Seconds are required unless optionalSeconds is set.
func parseClock(s string, optionalSeconds bool) (us int64, rest string, ok bool) {
	if len(s) < 5 || s[2] != ':' {
		return 0, "", false
	}
	hour, ok1 := two(s[0], s[1])
	minute, ok2 := two(s[3], s[4])
	if !ok1 || !ok2 || hour > 23 || minute > 59 {
		return 0, "", false
	}
	us = hour*usPerHour + minute*usPerMinute
	s = s[5:]
	if len(s) < 3 || s[0] != ':' {
		return us, s, optionalSeconds
	}
	second, ok := two(s[1], s[2])
	if !ok || second > 59 {
		return 0, "", false
	}
	us += second * usPerSecond
	s = s[3:]
	if len(s) == 0 || s[0] != '.' && s[0] != ',' {
		return us, s, true
	}
	frac, n := int64(0), 0
	i := 1
	for ; i < len(s); i++ {
		d := s[i] - '0'
		if d > 9 {
			break
		}
		if n < 6 {
			frac = frac*10 + int64(d)
			n++
		}
	}
	if i == 1 {
		return 0, "", false
	}
	return us + frac*fracScale[n], s[i:], true
}

// fracScale[n] turns n digits of a fraction of a second into microseconds.
var fracScale = [7]int64{1e6, 1e5, 1e4, 1e3, 1e2, 1e1, 1}

// two reads the two digits a and b as a number.
func two(a, b byte) (int64, bool) {
	a, b = a-'0', b-'0'
	return int64(a)*10 + int64(b), a <= 9 && b <= 9
}

// parseZone reads what follows the time: nothing (UTC), or an optional space and then Z, UTC,
// GMT, or an offset +HH, +HHMM or +HH:MM. It returns the offset east of UTC in microseconds.
func parseZone(s string) (int64, bool) {
	if len(s) > 0 && s[0] == ' ' {
		s = s[1:]
		if len(s) == 0 {
			return 0, false
		}
	}
	switch s {
	case "":
		return 0, true
	case "Z", "z", "UTC", "GMT":
		return 0, true
	}
	sign := int64(1)
	switch s[0] {
	case '+':
	case '-':
		sign = -1
	default:
		return 0, false
	}
	hour, ok := digits(s, 1, 2)
	if !ok || hour > 23 {
		return 0, false
	}
	var minute int64
	switch {
	case len(s) == 3:
	case len(s) == 5:
		minute, ok = digits(s, 3, 2)
	case len(s) == 6 && s[3] == ':':
		minute, ok = digits(s, 4, 2)
	default:
		return 0, false
	}
	if !ok || minute > 59 {
		return 0, false
	}
	return sign * (hour*usPerHour + minute*usPerMinute), true
}

// digits reads the n ASCII digits of s starting at i.
func digits(s string, i, n int) (int64, bool) {
	if i+n > len(s) {
		return 0, false
	}
	var v int64
	for _, c := range []byte(s[i : i+n]) {
		if !isDigit(c) {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	return v, true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// monthByName returns 1 to 12 for a three-letter English month name in any case, else 0.
func monthByName(s string) int64 {
	const names = "janfebmaraprmayjunjulaugsepoctnovdec"
	if len(s) != 3 {
		return 0
	}
	a, b, c := s[0]|0x20, s[1]|0x20, s[2]|0x20
	for m := 0; m < 12; m++ {
		if names[3*m] == a && names[3*m+1] == b && names[3*m+2] == c {
			return int64(m + 1)
		}
	}
	return 0
}

func validDate(year, month, day int64) bool {
	return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month)
}

func daysInMonth(year, month int64) int64 {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil returns the number of days from 1970-01-01 to the given proleptic Gregorian
// date (Howard Hinnant's algorithm; negative before 1970).
func daysFromCivil(year, month, day int64) int64 {
	if month <= 2 {
		year--
	}
	era := floorDiv(year, 400)
	yoe := year - era*400
	mp := (month + 9) % 12
	doy := (153*mp+2)/5 + day - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// civilFromDays is the inverse of daysFromCivil.
func civilFromDays(days int64) (year, month, day int64) {
	z := days + 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	day = doy - (153*mp+2)/5 + 1
	month = mp + 3
	if month > 12 {
		month -= 12
	}
	year = yoe + era*400
	if month <= 2 {
		year++
	}
	return year, month, day
}

// floorDiv divides rounding toward negative infinity, so that times before 1970 fall on the
// right day.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// FormatTimestamp prints microseconds since the Unix epoch as RFC 3339 in UTC, with as many
// fractional digits as the value needs and no more: 2024-01-01T00:01:00Z,
// 2024-01-01T00:01:00.493Z, 2024-01-01T00:01:00.000001Z.
func FormatTimestamp(us int64) string {
	return string(AppendTimestamp(make([]byte, 0, 32), us))
}

// AppendTimestamp appends the text FormatTimestamp gives for us to b.
func AppendTimestamp(b []byte, us int64) []byte {
	days := floorDiv(us, usPerDay)
	rem := us - days*usPerDay
	year, month, day := civilFromDays(days)

	if year < 0 {
		b = append(b, '-')
		year = -year
	}
	if year > 9999 {
		b = appendInt(b, year)
	} else {
		b = appendPadded(b, year, 4)
	}
	b = append(b, '-')
	b = appendPadded(b, month, 2)
	b = append(b, '-')
	b = appendPadded(b, day, 2)
	b = append(b, 'T')
	b = appendPadded(b, rem/usPerHour, 2)
	b = append(b, ':')
	b = appendPadded(b, rem/usPerMinute%60, 2)
	b = append(b, ':')
	b = appendPadded(b, rem/usPerSecond%60, 2)

	if frac := rem % usPerSecond; frac != 0 {
		n := 6
		for frac%10 == 0 {
			frac /= 10
			n--
		}
		b = append(b, '.')
		b = appendPadded(b, frac, n)
	}
	return append(b, 'Z')
}

// appendPadded appends the non-negative v with at least n digits, padded with zeros.
func appendPadded(b []byte, v int64, n int) []byte {
	var buf [20]byte
	i := len(buf)
	for v > 0 || n > 0 {
		i--
		buf[i] = byte('0' + v%10)
		v /= 10
		n--
	}
	return append(b, buf[i:]...)
}

func appendInt(b []byte, v int64) []byte { return appendPadded(b, v, 1) }
