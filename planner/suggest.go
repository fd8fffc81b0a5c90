package planner

import "strings"

// suggest returns the candidate nearest to name, if it is near enough to be a likely typo: at
// most one edit per two characters of the name, a swap of neighbours counting as one edit.
func suggest(name string, candidates []string) string {
	best, bestDist := "", len([]rune(name))/2+1
	lower := strings.ToLower(name)
	for _, c := range candidates {
		d := editDistance(lower, strings.ToLower(c))
		if d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// DidYouMean formats a suggestion among candidates for an error message, or "" without one.
func DidYouMean(name string, candidates []string) string { return didYouMean(name, candidates) }

// didYouMean formats a suggestion for an error message, or "" without one.
func didYouMean(name string, candidates []string) string {
	if s := suggest(name, candidates); s != "" {
		return ` (did you mean "` + s + `"?)`
	}
	return ""
}

// editDistance is the number of insertions, deletions, substitutions and swaps of adjacent
// characters that turn a into b (the optimal string alignment distance), so that the common
// typo "cuont" is one edit from "count".
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	// rows i-2, i-1 and i of the table, each of len(rb)+1 cells.
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
