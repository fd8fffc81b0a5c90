// Package functions is weir's one registry of scalar, aggregate and analytic functions: each
// entry has a name, a signature, a null rule, a one-line summary and a kernel (over Arrow
// arrays, or over a frame's statistics for the analytic functions that fold a frame).
package functions

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
)

// The Arrow types of weir's SQL types.
var (
	Boolean   arrow.DataType = arrow.FixedWidthTypes.Boolean
	Bigint    arrow.DataType = arrow.PrimitiveTypes.Int64
	Double    arrow.DataType = arrow.PrimitiveTypes.Float64
	Varchar   arrow.DataType = arrow.BinaryTypes.String
	Timestamp arrow.DataType = &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	Interval  arrow.DataType = &arrow.DurationType{Unit: arrow.Microsecond}
	// Null is the type of a bare NULL literal; it converts to any other type.
	Null arrow.DataType = arrow.Null
)

// TypeByName returns the Arrow type of a SQL type name such as BIGINT or TEXT.
func TypeByName(name string) (arrow.DataType, bool) {
	switch strings.ToUpper(name) {
	case "BOOLEAN", "BOOL":
		return Boolean, true
	case "BIGINT", "INT", "INTEGER", "INT8", "INT64", "SMALLINT", "TINYINT", "INT4":
		return Bigint, true
	case "DOUBLE", "FLOAT", "REAL", "FLOAT8", "FLOAT4", "DECIMAL", "NUMERIC":
		return Double, true
	case "VARCHAR", "TEXT", "STRING", "CHAR":
		return Varchar, true
	case "TIMESTAMP", "TIMESTAMPTZ", "DATETIME":
		return Timestamp, true
	case "INTERVAL":
		return Interval, true
	}
	return nil, false
}

// TypeName returns the SQL name of an Arrow type weir uses.
func TypeName(t arrow.DataType) string {
	switch t.ID() {
	case arrow.BOOL:
		return "BOOLEAN"
	case arrow.INT64:
		return "BIGINT"
	case arrow.FLOAT64:
		return "DOUBLE"
	case arrow.STRING:
		return "VARCHAR"
	case arrow.TIMESTAMP:
		return "TIMESTAMP"
	case arrow.DURATION:
		return "INTERVAL"
	case arrow.NULL:
		return "NULL"
	}
	return fmt.Sprintf("unsupported(%s)", t)
}

// IsNumeric reports whether t is BIGINT or DOUBLE.
func IsNumeric(t arrow.DataType) bool {
	id := t.ID()
	return id == arrow.INT64 || id == arrow.FLOAT64
}
