package functions

// builtinScalars lists the built-in scalar functions.
func builtinScalars() []*Scalar { return scalarFunctions() }

// builtinAggregates lists the built-in aggregate functions.
func builtinAggregates() []*Aggregate {
	return []*Aggregate{countAggregate, sumAggregate, avgAggregate, minAggregate, maxAggregate}
}
