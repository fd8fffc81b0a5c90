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
