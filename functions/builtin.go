package functions

// builtinScalars lists the built-in scalar functions.
func builtinScalars() []*Scalar { return nil }

// builtinAggregates lists the built-in aggregate functions.
func builtinAggregates() []*Aggregate { return nil }
