package functions

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func micros(year int, month time.Month, day, hour, min, sec, us int, zone *time.Location) int64 {
	return time.Date(year, month, day, hour, min, sec, us*1000, zone).UnixMicro()
}

func TestParseTimestamp(t *testing.T) {
	plus2 := time.FixedZone("+02:00", 2*3600)
	minus7 := time.FixedZone("-07:00", -7*3600)
	plus530 := time.FixedZone("+05:30", 5*3600+30*60)
	tests := []struct {
		in   string
		want int64
	}{
		{"2015-09-12T00:46:58.771Z", micros(2015, 9, 12, 0, 46, 58, 771000, time.UTC)},
		{"2015-09-12t00:46:58.771z", micros(2015, 9, 12, 0, 46, 58, 771000, time.UTC)},
		{"2015-09-12T00:46:58Z", micros(2015, 9, 12, 0, 46, 58, 0, time.UTC)},
		{"2015-09-12T00:46:58+02:00", micros(2015, 9, 12, 0, 46, 58, 0, plus2)},
		{"2015-09-12T00:46:58-0700", micros(2015, 9, 12, 0, 46, 58, 0, minus7)},
		{"2015-09-12T00:46:58+02", micros(2015, 9, 12, 0, 46, 58, 0, plus2)},
		{"2015-09-12T00:46:58.5+05:30", micros(2015, 9, 12, 0, 46, 58, 500000, plus530)},
		{"2015-09-12T00:46:58.123456789Z", micros(2015, 9, 12, 0, 46, 58, 123456, time.UTC)},
		{"2015-09-12T00:46:58.000001Z", micros(2015, 9, 12, 0, 46, 58, 1, time.UTC)},
		{"2015-09-12T00:46:58", micros(2015, 9, 12, 0, 46, 58, 0, time.UTC)},
		{"2015-09-12 00:46:58", micros(2015, 9, 12, 0, 46, 58, 0, time.UTC)},
		{"2015-09-12 00:46:58.25", micros(2015, 9, 12, 0, 46, 58, 250000, time.UTC)},
		{"2015-09-12 00:46:58,25", micros(2015, 9, 12, 0, 46, 58, 250000, time.UTC)},
		{"2015-09-12 00:46:58 +02:00", micros(2015, 9, 12, 0, 46, 58, 0, plus2)},
		{"2015-09-12 00:46:58+02:00", micros(2015, 9, 12, 0, 46, 58, 0, plus2)},
		{"2015-09-12 00:46:58 UTC", micros(2015, 9, 12, 0, 46, 58, 0, time.UTC)},
		{"2015-09-12 00:46", micros(2015, 9, 12, 0, 46, 0, 0, time.UTC)},
		{"2015-09-12", micros(2015, 9, 12, 0, 0, 0, 0, time.UTC)},
		{"2015/09/12 00:46:58", micros(2015, 9, 12, 0, 46, 58, 0, time.UTC)},
		{"2015/09/12 00:46:58.07", micros(2015, 9, 12, 0, 46, 58, 70000, time.UTC)},
		{"17/May/2015:10:05:03 +0000", micros(2015, 5, 17, 10, 5, 3, 0, time.UTC)},
		{"17/may/2015:10:05:03 -0700", micros(2015, 5, 17, 10, 5, 3, 0, minus7)},
		{"01/Aug/1995:00:00:01 -0400", micros(1995, 8, 1, 0, 0, 1, 0,
			time.FixedZone("", -4*3600))},
		{"17/Dec/2015:10:05:03", micros(2015, 12, 17, 10, 5, 3, 0, time.UTC)},
		// Before 1970, leap years and the edges of days and years.
		{"1969-12-31T23:59:59.999999Z", -1},
		{"1969-12-31 23:59:59.5", -500000},
		{"1970-01-01T00:00:00Z", 0},
		{"1900-03-01", micros(1900, 3, 1, 0, 0, 0, 0, time.UTC)},
		{"1600-02-29", micros(1600, 2, 29, 0, 0, 0, 0, time.UTC)},
		{"0001-01-01T00:00:00Z", micros(1, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"2000-02-29T12:00:00Z", micros(2000, 2, 29, 12, 0, 0, 0, time.UTC)},
		{"2024-02-29", micros(2024, 2, 29, 0, 0, 0, 0, time.UTC)},
		{"2024-12-31T23:59:59.999999Z", micros(2024, 12, 31, 23, 59, 59, 999999, time.UTC)},
		{"9999-12-31T23:59:59Z", micros(9999, 12, 31, 23, 59, 59, 0, time.UTC)},
		{"2024-01-01T00:30:00+01:00", micros(2023, 12, 31, 23, 30, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := ParseTimestamp(tt.in)
			require.True(t, ok)
			require.Equal(t, tt.want, got, "got %s", FormatTimestamp(got))
		})
	}
}

func TestParseTimestampRejects(t *testing.T) {
	for _, in := range []string{
		"", "abc", "2024", "2024-13-01", "2024-00-10", "2024-01-32", "2023-02-29", "1900-02-29",
		"2024-04-31", "2024-01-01T", "2024-01-01 ", "2024-01-01T24:00:00", "2024-01-01T23:60:00",
		"2024-01-01T23:59:60", "2024-01-01T10:00:00.", "2024-01-01T10:00:00Q",
		"2024-01-01T10:00:00+2", "2024-01-01T10:00:00+24:00", "2024-01-01T10:00:00+02:60",
		"2024-01-01T10:00:00 ", "2024-01-01T10:00:00Zjunk", "2024-1-01", "2024-01-1",
		"2024-01/01", "2024.01.01", "12/31/2024 10:00:00", "17/Foo/2015:10:05:03 +0000",
		"17/May/2015 10:05:03 +0000", "17/May/2015:10:05 +0000", "1700000000", "true",
		"2024-01-01T1:00:00", "+2024-01-01", "２０２４-01-01",
	} {
		t.Run(in, func(t *testing.T) {
			_, ok := ParseTimestamp(in)
			require.False(t, ok)
		})
	}
}

func TestFormatTimestamp(t *testing.T) {
	tests := []struct {
		us   int64
		want string
	}{
		{0, "1970-01-01T00:00:00Z"},
		{micros(2024, 1, 1, 0, 1, 0, 0, time.UTC), "2024-01-01T00:01:00Z"},
		{micros(2024, 1, 1, 0, 1, 0, 493000, time.UTC), "2024-01-01T00:01:00.493Z"},
		{micros(2024, 1, 1, 0, 1, 0, 1, time.UTC), "2024-01-01T00:01:00.000001Z"},
		{micros(2024, 1, 1, 0, 1, 0, 120, time.UTC), "2024-01-01T00:01:00.00012Z"},
		{-1, "1969-12-31T23:59:59.999999Z"},
		{-500000, "1969-12-31T23:59:59.5Z"},
		{-usPerDay, "1969-12-31T00:00:00Z"},
		{micros(1600, 2, 29, 23, 0, 0, 0, time.UTC), "1600-02-29T23:00:00Z"},
		{micros(2000, 2, 29, 0, 0, 0, 0, time.UTC), "2000-02-29T00:00:00Z"},
		{micros(1, 1, 1, 0, 0, 0, 0, time.UTC), "0001-01-01T00:00:00Z"},
		{micros(9999, 12, 31, 23, 59, 59, 999999, time.UTC), "9999-12-31T23:59:59.999999Z"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			require.Equal(t, tt.want, FormatTimestamp(tt.us))
		})
	}
}

// TestTimestampAgainstTime checks printing and parsing against the time package over random
// instants from year 1 to 9999, and that one reads back what the other prints.
func TestTimestampAgainstTime(t *testing.T) {
	lo := time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
	hi := time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC).UnixMicro()
	r := rand.New(rand.NewPCG(1, 2))
	for range 100_000 {
		us := lo + r.Int64N(hi-lo)
		if r.IntN(4) == 0 {
			us -= us % usPerSecond // whole seconds print without a fraction
		}
		want := time.UnixMicro(us).UTC().Format(time.RFC3339Nano)
		got := FormatTimestamp(us)
		require.Equal(t, want, got)
		back, ok := ParseTimestamp(got)
		require.True(t, ok, got)
		require.Equal(t, us, back, got)
	}
}

func TestFormatTimestampExtremes(t *testing.T) {
	// Out of the four-digit range the text is still readable and does not panic.
	require.NotEmpty(t, FormatTimestamp(-1<<63))
	require.NotEmpty(t, FormatTimestamp(1<<63-1))
}

func TestParseTimestampAllocs(t *testing.T) {
	allocs := testing.AllocsPerRun(100, func() {
		_, _ = ParseTimestamp("2015-09-12T00:46:58.771+02:00")
		_, _ = ParseTimestamp("17/May/2015:10:05:03 +0000")
	})
	require.Zero(t, allocs)
}

func BenchmarkParseTimestamp(b *testing.B) {
	for b.Loop() {
		_, _ = ParseTimestamp("2015-09-12T00:46:58.771Z")
	}
}

func BenchmarkFormatTimestamp(b *testing.B) {
	buf := make([]byte, 0, 32)
	for b.Loop() {
		buf = AppendTimestamp(buf[:0], 1442018818771000)
	}
}

func FuzzParseTimestamp(f *testing.F) {
	for _, s := range []string{
		"2015-09-12T00:46:58.771Z", "2015-09-12 00:46:58 +02:00", "2015/09/12 00:46:58.07",
		"17/May/2015:10:05:03 +0000", "2024-02-29", "1969-12-31T23:59:59.999999-0700",
	} {
		f.Add(s)
	}
	var p TimestampParser // remembers a date from one input to the next
	f.Fuzz(func(t *testing.T, s string) {
		us, ok := ParseTimestamp(s)
		for _, text := range []string{s, "2015-09-12T00:46:58Z", s} {
			want, wantOK := ParseTimestamp(text)
			got, gotOK := p.Parse([]byte(text))
			if got != want || gotOK != wantOK {
				t.Fatalf("TimestampParser.Parse(%q) = %d, %v; ParseTimestamp: %d, %v", text,
					got, gotOK, want, wantOK)
			}
		}
		if !ok {
			return
		}
		text := FormatTimestamp(us)
		if text[0] == '-' {
			return // a year before 0000 (from an offset) prints but is not read
		}
		back, ok := ParseTimestamp(text)
		if !ok || back != us {
			t.Fatalf("%q: %d prints as %s, which reads back as %d", s, us, FormatTimestamp(us),
				back)
		}
	})
}

// TestTimestampParser reads a column's run of timestamps with one parser, the date of each
// remembered from the one before, and checks each against ParseTimestamp.
func TestTimestampParser(t *testing.T) {
	var p TimestampParser
	for _, s := range []string{
		"2024-01-01 00:00:01", "2024-01-01 00:00:02.5", "2024-01-01T23:59:59Z",
		"2024-01-01T10:00:00+02:00", "2024-01-02 00:00:00", "2024-01-01", "2024-01-01 25:00",
		"2024-01-01x00:00", "2024-02-30 00:00:00", "2024-02-29 12:00", "2024/02/29 12:00",
		"17/May/2015:10:05:03 +0000", "2024-01-0", "", "2024-01-01 00:00:01 UTC",
	} {
		want, wantOK := ParseTimestamp(s)
		got, ok := p.Parse([]byte(s))
		require.Equal(t, wantOK, ok, s)
		require.Equal(t, want, got, s)
	}
}
