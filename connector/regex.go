package connector

import (
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"
	_ "time/tzdata" // zones for the timezone option on hosts without a zone database
)

// Regex lines: each line is matched against a regular expression (Go's RE2 syntax) whose
// named groups, (?P<name>...), are the columns, matched by name in any case. A line the
// expression does not match is malformed. A group that takes no part in the match is NULL;
// so is an empty group of any type but VARCHAR, where it is the empty string, and a value
// equal to one of the null option's strings. Blank lines are skipped. An Apache or nginx
// access log is a stream this way:
//
//	^(?P<client>\S+) \S+ (?P<user>\S+) \[(?P<time>[^\]]+)\] "(?P<method>\S+) (?P<path>\S+)
//	(?P<protocol>[^"]*)" (?P<status>\d{3}) (?P<bytes>\S+) "(?P<referrer>[^"]*)"
//	"(?P<agent>[^"]*)"$
//
// (one line, with a space where it is broken here).

// CompilePattern compiles the pattern of the regex format and checks that it names its
// groups.
func CompilePattern(pattern string) (*regexp.Regexp, error) {
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, fmt.Errorf("pattern: %w", err)
	}
	named := 0
	for _, n := range re.SubexpNames() {
		if n != "" {
			named++
		}
	}
	if named == 0 {
		return nil, fmt.Errorf("pattern %q names no group: write (?P<column>...) for each "+
			"column", pattern)
	}
	return re, nil
}

// regexFormat reads lines matched by a regular expression.
type regexFormat struct {
	re    *regexp.Regexp
	group []int // the group of each declared column
	m     []int
}

func newRegexFormat(pattern string, cols []column) (*regexFormat, error) {
	re, err := CompilePattern(pattern)
	if err != nil {
		return nil, err
	}
	f := &regexFormat{re: re, group: make([]int, len(cols))}
	names := re.SubexpNames()
	for i, c := range cols {
		f.group[i] = -1
		for j, n := range names {
			if n != "" && strings.EqualFold(n, c.name) {
				f.group[i] = j
				break
			}
		}
		if f.group[i] < 0 {
			return nil, fmt.Errorf("column %q is not a group of the pattern (its groups: %s)",
				c.name, strings.Join(groupNames(re), ", "))
		}
	}
	return f, nil
}

func groupNames(re *regexp.Regexp) []string {
	var out []string
	for _, n := range re.SubexpNames() {
		if n != "" {
			out = append(out, n)
		}
	}
	return out
}

func (f *regexFormat) begin(*textSource) error { return nil }

func (f *regexFormat) row(s *textSource) (int64, string, error) {
	line, err := nextObjectLine(&s.lines)
	if err != nil {
		return 0, "", err
	}
	n := s.lines.line
	f.m = f.re.FindSubmatchIndex(line)
	if f.m == nil {
		return n, fmt.Sprintf("the line does not match the pattern: %s", showValue(line)), nil
	}
	for i := range s.cols {
		c, v := &s.cols[i], &s.cells[i]
		g := f.group[i]
		start, end := f.m[2*g], f.m[2*g+1]
		if start < 0 || (start == end && c.kind != kindString) || s.isNull(line[start:end]) {
			v.null = true
			continue
		}
		if !c.parseText(line[start:end], v) {
			return n, c.problem(line[start:end]), nil
		}
	}
	return n, "", nil
}

// regex infers the types of the groups of a pattern from the lines it matches.
func (in *inference) regex(pattern string) error {
	re, err := CompilePattern(pattern)
	if err != nil {
		return err
	}
	var idx []int
	for j, n := range re.SubexpNames() {
		if n != "" {
			idx = append(idx, j)
			in.cols = append(in.cols, &guess{name: n})
		}
	}
	for in.more() {
		line, err := nextObjectLine(&in.lines)
		if err == io.EOF {
			return nil
		}
		if err == errLineTooLong {
			continue // skipped by the source too
		}
		if err != nil {
			return fmt.Errorf("%s: %w", in.name, err)
		}
		m := re.FindSubmatchIndex(line)
		if m == nil {
			continue
		}
		in.rows++
		for k, j := range idx {
			text := line[max(m[2*j], 0):max(m[2*j+1], 0)]
			if len(text) == 0 || in.isNull(text) {
				continue
			}
			in.cols[k].text(text)
		}
	}
	return nil
}

// LoadTimezone returns the zone of the timezone option: an IANA name such as
// 'America/New_York', or UTC. The zone database is built in, so that every host knows the
// zones.
func LoadTimezone(name string) (*time.Location, error) {
	if strings.EqualFold(name, "UTC") || name == "" {
		return nil, nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("unknown timezone %q (write an IANA name such as "+
			"'America/New_York', or 'UTC')", name)
	}
	return loc, nil
}

// hasZone reports whether a timestamp text gives its zone: Z, UTC, GMT, or an offset after
// the time of day.
func hasZone(text []byte) bool {
	if n := len(text); n > 0 && (text[n-1] == 'Z' || text[n-1] == 'z') {
		return true
	}
	colon := -1
	for i, c := range text {
		switch {
		case c == ':' && colon < 0:
			colon = i
		case (c == '+' || c == '-') && colon >= 0:
			return true
		case c == 'U' || c == 'G' || c == 'u' || c == 'g':
			s := strings.ToUpper(string(text[i:min(i+3, len(text))]))
			if s == "UTC" || s == "GMT" {
				return true
			}
		}
	}
	return false
}

// tzCache remembers the offset of the last wall-clock hour converted, since the offset of a
// zone changes only on whole hours of its wall clock (in every zone in use today).
type tzCache struct {
	hour   int64 // the wall-clock hour, in hours since the epoch, plus one; 0 when empty
	offset int64 // microseconds to subtract from the wall clock
}

const microsPerHour = 3600 * 1_000_000

// toUTC converts a wall-clock time in loc, written as microseconds as if it were UTC, to
// microseconds since the epoch. A time that the zone skips (a spring-forward gap) or repeats
// resolves as time.Date does.
func (c *tzCache) toUTC(us int64, loc *time.Location) int64 {
	hour := floorDiv(us, microsPerHour) + 1
	if hour != c.hour {
		wall := time.UnixMicro(floorDiv(us, microsPerHour) * microsPerHour).UTC()
		y, m, d := wall.Date()
		h, _, _ := wall.Clock()
		t := time.Date(y, m, d, h, 0, 0, 0, loc)
		c.hour, c.offset = hour, wall.UnixMicro()-t.UnixMicro()
	}
	return us - c.offset
}
