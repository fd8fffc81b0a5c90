package planner

import (
	"strings"

	"github.com/weirsql/weir/connector"
	"github.com/weirsql/weir/parser"
)

// nexmarkDelay is the watermark delay of the built-in Nexmark streams: 4 seconds, in
// microseconds.
const nexmarkDelay = 4_000_000

// builtinStreams are the streams every engine has without a CREATE STREAM, by lower-case
// name: nexmark.bid, nexmark.auction and nexmark.person, which never end.
var builtinStreams = func() map[string]*Stream {
	out := map[string]*Stream{}
	for _, table := range connector.NexmarkTables() {
		st := &Stream{Name: "nexmark." + table,
			Options: map[string]string{"connector": "nexmark", "table": table}}
		if err := completeStream(st); err != nil {
			panic(err) // a bug: the tables are known
		}
		out[st.Name] = st
	}
	return out
}()

// BuiltinStreams lists the streams every engine has without a CREATE STREAM, in the
// order of the Nexmark tables (bid, auction, person).
func BuiltinStreams() []*Stream {
	var out []*Stream
	for _, table := range connector.NexmarkTables() {
		out = append(out, builtinStreams["nexmark."+table])
	}
	return out
}

// builtinNames are the built-in streams' names, for suggestions.
func builtinNames() []string {
	var out []string
	for _, st := range BuiltinStreams() {
		out = append(out, st.Name)
	}
	return out
}

// ResolveStream finds the stream a name refers to: a built-in one (nexmark.bid), or one of
// the catalog's.
func ResolveStream(c *Catalog, parts []parser.Ident) (*Stream, bool) {
	if st, ok := builtinStream(&parser.ColumnRef{Parts: parts}); ok {
		return st, true
	}
	if len(parts) != 1 {
		return nil, false
	}
	return c.Lookup(parts[0])
}

// StreamNames lists the catalog's streams and the built-in ones, for suggestions.
func StreamNames(c *Catalog) []string {
	return append(c.Names(), builtinNames()...)
}

// builtinStream resolves the streams every engine has without a CREATE STREAM, such as
// nexmark.bid (any case, unless quoted).
func builtinStream(ref *parser.ColumnRef) (*Stream, bool) {
	if len(ref.Parts) != 2 {
		return nil, false
	}
	for _, p := range ref.Parts {
		if p.Quoted && p.Name != strings.ToLower(p.Name) {
			return nil, false
		}
	}
	st, ok := builtinStreams[strings.ToLower(ref.Parts[0].Name+"."+ref.Parts[1].Name)]
	return st, ok
}

// completeStream gives a stream of a generator connector that declares no column the
// columns of its table: the Nexmark table's, with a watermark on dateTime 4 seconds behind,
// as the built-in streams have. CreateStream calls it, so that
//
//	CREATE STREAM bids WITH (connector = 'nexmark', table = 'bid', events = 1000000)
//
// needs no column list. Other streams are left as they are.
func completeStream(st *Stream) error {
	if st.Options["connector"] != "nexmark" || len(st.Columns) > 0 {
		return nil
	}
	schema, err := connector.NexmarkSchema(st.Options["table"])
	if err != nil {
		return err
	}
	for _, f := range schema.Fields() {
		st.Columns = append(st.Columns, Column{Name: f.Name, Type: f.Type})
	}
	if st.WatermarkColumn == "" {
		st.WatermarkColumn, st.Delay = "dateTime", nexmarkDelay
	}
	return nil
}
