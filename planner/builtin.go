package planner

import "github.com/weirsql/weir/parser"

// builtinStream resolves the streams every engine has without a CREATE STREAM, such as
// nexmark.bid.
// TODO(nexmark): the Nexmark generator's streams.
func builtinStream(ref *parser.ColumnRef) (*Stream, bool) {
	return nil, false
}
