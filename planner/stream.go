package planner

import (
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/weirsql/weir/exec"
	"github.com/weirsql/weir/functions"
	"github.com/weirsql/weir/parser"
)

// knownOptions are the WITH options of each connector.
var knownOptions = map[string][]string{
	"file": {"connector", "path", "format", "header", "delimiter", "null", "on_error",
		"compression", "deadletter", "timezone", "filename", "pattern", "idle_timeout"},
	"stdin": {"connector", "format", "header", "delimiter", "null", "on_error", "deadletter",
		"timezone", "idle_timeout"},
	"nexmark": {"connector", "table", "events", "rate", "seed", "pace", "idle_timeout"},
	// "fields.*" stands for every option that starts with "fields.", such as
	// 'fields.v.kind'.
	"datagen": {"connector", "rows", "rate", "seed", "fields.*", "idle_timeout"},
}

// CreateStream turns CREATE STREAM into a catalog entry, checking types, computed columns,
// the watermark and the options.
func CreateStream(st *parser.CreateStream, reg *functions.Registry) (*Stream, error) {
	if len(st.Name.Parts) != 1 {
		return nil, errAt(st.Name.Pos, ErrInvalid, "a stream name has one part, got %q",
			st.Name.String())
	}
	s := &Stream{Name: st.Name.Parts[0].Name, Options: map[string]string{}}
	var wm *parser.Watermark
	seen := map[string]bool{}
	for _, el := range st.Elements {
		if el.Watermark != nil {
			if wm != nil {
				return nil, errAt(el.Pos, ErrInvalid, "a stream has one WATERMARK clause")
			}
			wm = el.Watermark
			continue
		}
		c := el.Column
		if seen[strings.ToLower(c.Name.Name)] {
			return nil, errAt(c.Pos, ErrInvalid, "column %q is declared twice", c.Name.Name)
		}
		seen[strings.ToLower(c.Name.Name)] = true
		col := Column{Name: c.Name.Name, Computed: c.Computed}
		if c.Type != nil {
			t, ok := functions.TypeByName(c.Type.Name)
			if !ok {
				return nil, errAt(c.Type.Pos, ErrInvalid, "unknown type %q%s", c.Type.Name,
					didYouMean(c.Type.Name, typeNames))
			}
			col.Type = t
		}
		s.Columns = append(s.Columns, col)
	}
	if err := s.typeComputed(reg); err != nil {
		return nil, err
	}
	if wm != nil {
		if err := s.setWatermark(wm, reg); err != nil {
			return nil, err
		}
	}
	if err := s.setOptions(st.Options); err != nil {
		return nil, err
	}
	if err := completeStream(s); err != nil {
		return nil, errAt(st.Pos, ErrInvalid, "stream %s: %v", s.Name, err)
	}
	if s.Options["connector"] == "" {
		s.Hub = exec.NewHub(s.PhysicalSchema(), nil)
	}
	return s, nil
}

// typeComputed gives each computed column the type of its expression over the read columns.
func (s *Stream) typeComputed(reg *functions.Registry) error {
	sc := &scope{reg: reg, clause: "a computed column"}
	for _, c := range s.Columns {
		if c.Computed == nil {
			sc.cols = append(sc.cols, scopeColumn{name: c.Name, qualifier: s.Name, typ: c.Type})
		}
	}
	for i, c := range s.Columns {
		if c.Computed == nil {
			continue
		}
		x, err := sc.compile(c.Computed)
		if err != nil {
			return err
		}
		s.Columns[i].Type = x.Type()
	}
	return nil
}

// setWatermark reads `WATERMARK FOR col AS col [- interval]`.
func (s *Stream) setWatermark(wm *parser.Watermark, reg *functions.Registry) error {
	var col *Column
	for i := range s.Columns {
		if wm.Column.Matches(s.Columns[i].Name) {
			col = &s.Columns[i]
		}
	}
	if col == nil {
		names := make([]string, len(s.Columns))
		for i, c := range s.Columns {
			names[i] = c.Name
		}
		return errAt(wm.Pos, ErrUnknownColumn, "unknown column %q in WATERMARK%s",
			wm.Column.Name, didYouMean(wm.Column.Name, names))
	}
	if col.Type.ID() != arrow.TIMESTAMP {
		return errAt(wm.Pos, ErrTypeMismatch, "WATERMARK FOR %s needs a TIMESTAMP column, "+
			"%s is %s", col.Name, col.Name, functions.TypeName(col.Type))
	}
	s.WatermarkColumn = col.Name
	e := wm.Expr
	if p, ok := e.(*parser.Paren); ok {
		e = p.X
	}
	bad := errAt(wm.Expr.Position(), ErrUnsupported,
		"unsupported: watermark %s (write %s - INTERVAL '5' SECOND, or %s)",
		wm.Expr.String(), col.Name, col.Name)
	switch e := e.(type) {
	case *parser.ColumnRef:
		if !e.Name().Matches(col.Name) {
			return bad
		}
	case *parser.Binary:
		ref, ok := e.L.(*parser.ColumnRef)
		lit, ok2 := e.R.(*parser.Literal)
		if !ok || !ok2 || e.Op != "-" || !ref.Name().Matches(col.Name) ||
			lit.Kind != parser.LitInterval || lit.Micros < 0 {
			return bad
		}
		s.Delay = lit.Micros
	default:
		return bad
	}
	return nil
}

func (s *Stream) setOptions(opts []*parser.Option) error {
	for _, o := range opts {
		s.Options[strings.ToLower(o.Key)] = o.Value.Text()
	}
	if v, ok := s.Options["idle_timeout"]; ok {
		us, err := parser.ParseShortInterval(strings.ReplaceAll(v, " ", ""))
		if err != nil {
			us, err = parser.ParseInterval(v, "")
		}
		if err != nil || us <= 0 {
			return errAt(optionPos(opts, "idle_timeout"), ErrInvalid,
				"idle_timeout must be an interval such as '30s', got %q", v)
		}
		s.IdleTimeout = time.Duration(us) * time.Microsecond
	}
	conn := s.Options["connector"]
	if conn == "" {
		for _, o := range opts {
			if k := strings.ToLower(o.Key); k != "idle_timeout" && k != "connector" {
				return errAt(o.Pos, ErrInvalid, "unknown option %q of a stream fed by the "+
					"program (give a connector to read a file)", o.Key)
			}
		}
		return nil // fed by the program through appenders
	}
	known, ok := knownOptions[conn]
	if !ok {
		var names []string
		for k := range knownOptions {
			names = append(names, k)
		}
		return errAt(optionPos(opts, "connector"), ErrInvalid, "unknown connector %q%s", conn,
			didYouMean(conn, names))
	}
	for _, o := range opts {
		if !contains(known, strings.ToLower(o.Key)) {
			return errAt(o.Pos, ErrInvalid, "unknown option %q of connector %s%s", o.Key, conn,
				didYouMean(o.Key, known))
		}
	}
	if conn == "file" && s.Options["path"] == "" {
		return errAt(optionPos(opts, "connector"), ErrInvalid,
			"connector 'file' needs a path option")
	}
	return nil
}

func optionPos(opts []*parser.Option, key string) parser.Pos {
	for _, o := range opts {
		if strings.EqualFold(o.Key, key) {
			return o.Pos
		}
	}
	return parser.Pos{Line: 1, Column: 1}
}

// contains reports whether s is in list; an entry ending in * matches any name it prefixes
// ('fields.*' for datagen's per-column options).
func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s || strings.HasSuffix(x, "*") && strings.HasPrefix(s, strings.TrimSuffix(x, "*")) {
			return true
		}
	}
	return false
}
