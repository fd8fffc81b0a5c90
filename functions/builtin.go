package functions

// builtinScalars lists the built-in scalar functions.
func builtinScalars() []*Scalar {
	out := append(scalarFunctions(), textFunctions()...)
	out = append(out, regexpFunctions()...)
	return append(out, datetimeFunctions()...)
}

// builtinAggregates lists the built-in aggregate functions.
func builtinAggregates() []*Aggregate {
	out := []*Aggregate{countAggregate, sumAggregate, avgAggregate, minAggregate, maxAggregate,
		approxCountDistinct, firstAggregate, lastAggregate, rateAggregate}
	out = append(out, spreadAggregates()...)
	out = append(out, sketchAggregates()...)
	return append(out, exactAggregates()...)
}
