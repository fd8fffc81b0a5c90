package parser

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// maxDepth caps expression nesting so that no input can exhaust the stack.
const maxDepth = 256

// maxOperators caps the operators of one expression (IN list items count as one each). A
// chain such as 1 + 1 + ... nests no parentheses but makes a tree as deep as it is long,
// which planning and evaluation walk recursively: without a cap a long enough chain would
// exhaust the stack, and a stack overflow ends the program.
const maxOperators = 200_000

// TableArg is `TABLE name [PARTITION BY k, ...]`, the first argument of Flink's window
// table functions.
type TableArg struct {
	Pos         Pos
	Name        QualifiedName
	PartitionBy []Expr
}

func (e *TableArg) Position() Pos { return e.Pos }
func (*TableArg) exprNode()       {}

// exprParser is a precedence-climbing parser over participle's token stream.
type exprParser struct {
	lex   *lexer.PeekingLexer
	depth int
	ops   int // operators so far, against maxOperators
}

// parseExpr is plugged into participle for every Expr field of the grammar.
func parseExpr(lex *lexer.PeekingLexer) (Expr, error) {
	p := &exprParser{lex: lex}
	return p.expr()
}

func (p *exprParser) peek() *lexer.Token { return p.lex.Peek() }

func (p *exprParser) next() *lexer.Token { return p.lex.Next() }

// isKeyword reports whether t is the reserved word w.
func isKeyword(t *lexer.Token, w string) bool {
	return t.Type == tokKeyword && strings.EqualFold(t.Value, w)
}

// isWord reports whether t is the unreserved word w.
func isWord(t *lexer.Token, w string) bool {
	return t.Type == tokIdent && strings.EqualFold(t.Value, w)
}

func isOp(t *lexer.Token, op string) bool { return t.Type == tokOp && t.Value == op }

// peek2 returns the token after the next one.
func (p *exprParser) peek2() *lexer.Token { return p.peekAt(2) }

// peekAt returns the n-th token from here, the next one being the first.
func (p *exprParser) peekAt(n int) *lexer.Token {
	cp := p.lex.MakeCheckpoint()
	for range n - 1 {
		p.lex.Next()
	}
	t := p.lex.Peek()
	p.lex.LoadCheckpoint(cp)
	return t
}

func describe(t *lexer.Token) string {
	if t.EOF() {
		return "end of input"
	}
	return strconv.Quote(t.Value)
}

func errorf(pos Pos, format string, args ...any) error {
	return participle.Errorf(pos, format, args...)
}

func (p *exprParser) expect(op string) (*lexer.Token, error) {
	t := p.peek()
	if !isOp(t, op) && !(t.Type == tokKeyword && strings.EqualFold(t.Value, op)) &&
		!isWord(t, op) {
		return nil, errorf(t.Pos, "expected %q, found %s", op, describe(t))
	}
	return p.next(), nil
}

// expectSeq consumes each of the given tokens in turn.
func (p *exprParser) expectSeq(tokens ...string) error {
	for _, t := range tokens {
		if _, err := p.expect(t); err != nil {
			return err
		}
	}
	return nil
}

func (p *exprParser) enter(pos Pos) error {
	p.depth++
	if p.depth > maxDepth {
		return errorf(pos, "expression nested too deeply (more than %d levels)", maxDepth)
	}
	return nil
}

func (p *exprParser) leave() { p.depth-- }

// operator counts an operator at pos against maxOperators.
func (p *exprParser) operator(pos Pos) error {
	p.ops++
	if p.ops > maxOperators {
		return errorf(pos, "expression too long (more than %d operators)", maxOperators)
	}
	return nil
}

func (p *exprParser) expr() (Expr, error) {
	if err := p.enter(p.peek().Pos); err != nil {
		return nil, err
	}
	defer p.leave()
	return p.or()
}

func (p *exprParser) or() (Expr, error) {
	l, err := p.and()
	for err == nil && isKeyword(p.peek(), "OR") {
		t := p.next()
		var r Expr
		if err = p.operator(t.Pos); err != nil {
			break
		}
		if r, err = p.and(); err == nil {
			l = &Binary{Pos: t.Pos, Op: "OR", L: l, R: r}
		}
	}
	return l, err
}

func (p *exprParser) and() (Expr, error) {
	l, err := p.not()
	for err == nil && isKeyword(p.peek(), "AND") {
		t := p.next()
		var r Expr
		if err = p.operator(t.Pos); err != nil {
			break
		}
		if r, err = p.not(); err == nil {
			l = &Binary{Pos: t.Pos, Op: "AND", L: l, R: r}
		}
	}
	return l, err
}

func (p *exprParser) not() (Expr, error) {
	if !isKeyword(p.peek(), "NOT") {
		return p.comparison()
	}
	t := p.next()
	if err := p.enter(t.Pos); err != nil {
		return nil, err
	}
	defer p.leave()
	x, err := p.not()
	if err != nil {
		return nil, err
	}
	return &Unary{Pos: t.Pos, Op: "NOT", X: x}, nil
}

var comparisonOps = map[string]bool{"=": true, "<>": true, "!=": true, "<": true, "<=": true,
	">": true, ">=": true}

func (p *exprParser) comparison() (Expr, error) {
	l, err := p.concat()
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		if p.negatable(t) || isKeyword(t, "IS") || t.Type == tokOp && comparisonOps[t.Value] ||
			isKeyword(t, "NOT") && p.negatable(p.peek2()) {
			if err := p.operator(t.Pos); err != nil {
				return nil, err
			}
		}
		switch {
		case t.Type == tokOp && comparisonOps[t.Value]:
			p.next()
			r, err := p.concat()
			if err != nil {
				return nil, err
			}
			op := t.Value
			if op == "!=" {
				op = "<>"
			}
			l = &Binary{Pos: t.Pos, Op: op, L: l, R: r}
		case isKeyword(t, "IS"):
			if l, err = p.is(l); err != nil {
				return nil, err
			}
		case isKeyword(t, "NOT") && p.negatable(p.peek2()):
			p.next()
			if l, err = p.negated(l, true); err != nil {
				return nil, err
			}
		case p.negatable(t):
			if l, err = p.negated(l, false); err != nil {
				return nil, err
			}
		default:
			return l, nil
		}
	}
}

func (p *exprParser) negatable(t *lexer.Token) bool {
	return isKeyword(t, "BETWEEN") || isKeyword(t, "IN") || isKeyword(t, "LIKE") ||
		isKeyword(t, "ILIKE")
}

// is parses what follows IS: [NOT] NULL, [NOT] DISTINCT FROM x, [NOT] TRUE|FALSE.
func (p *exprParser) is(l Expr) (Expr, error) {
	t := p.next()
	not := false
	if isKeyword(p.peek(), "NOT") {
		p.next()
		not = true
	}
	n := p.peek()
	switch {
	case isKeyword(n, "NULL"):
		p.next()
		return &IsNull{Pos: t.Pos, X: l, Not: not}, nil
	case isKeyword(n, "DISTINCT"):
		p.next()
		if _, err := p.expect("FROM"); err != nil {
			return nil, err
		}
		r, err := p.concat()
		if err != nil {
			return nil, err
		}
		return &IsDistinct{Pos: t.Pos, L: l, R: r, Not: not}, nil
	case isKeyword(n, "TRUE"), isKeyword(n, "FALSE"):
		p.next()
		lit := &Literal{Pos: n.Pos, Kind: LitBool, Bool: isKeyword(n, "TRUE")}
		// x IS [NOT] TRUE is x IS [NOT] DISTINCT FROM TRUE.
		return &IsDistinct{Pos: t.Pos, L: l, R: lit, Not: !not}, nil
	}
	return nil, errorf(n.Pos, "expected NULL, DISTINCT FROM, TRUE or FALSE after IS, found %s",
		describe(n))
}

func (p *exprParser) negated(l Expr, not bool) (Expr, error) {
	t := p.next()
	switch strings.ToUpper(t.Value) {
	case "BETWEEN":
		lo, err := p.concat()
		if err != nil {
			return nil, err
		}
		if _, err := p.expect("AND"); err != nil {
			return nil, err
		}
		hi, err := p.concat()
		if err != nil {
			return nil, err
		}
		return &Between{Pos: t.Pos, X: l, Lo: lo, Hi: hi, Not: not}, nil
	case "IN":
		if _, err := p.expect("("); err != nil {
			return nil, err
		}
		if isKeyword(p.peek(), "SELECT") {
			return nil, errorf(p.peek().Pos, "unsupported: IN (subquery)")
		}
		list, err := p.list(")")
		if err != nil {
			return nil, err
		}
		// x IN (a, b, ...) runs as x = a OR x = b OR ...: one operator per item.
		for _, it := range list[1:] {
			if err := p.operator(it.Position()); err != nil {
				return nil, err
			}
		}
		return &InList{Pos: t.Pos, X: l, List: list, Not: not}, nil
	default:
		pat, err := p.concat()
		if err != nil {
			return nil, err
		}
		return &Like{Pos: t.Pos, X: l, Pattern: pat, Not: not,
			CaseInsensitive: strings.EqualFold(t.Value, "ILIKE")}, nil
	}
}

// list parses `a, b, c` up to and including the closing token.
func (p *exprParser) list(closing string) ([]Expr, error) {
	var out []Expr
	for {
		e, err := p.expr()
		if err != nil {
			return nil, err
		}
		out = append(out, e)
		t := p.next()
		if isOp(t, closing) {
			return out, nil
		}
		if !isOp(t, ",") {
			return nil, errorf(t.Pos, "expected \",\" or %q, found %s", closing, describe(t))
		}
	}
}

func (p *exprParser) concat() (Expr, error) {
	return p.binary(p.additive, "||")
}

func (p *exprParser) additive() (Expr, error) {
	return p.binary(p.multiplicative, "+", "-")
}

func (p *exprParser) multiplicative() (Expr, error) {
	return p.binary(p.power, "*", "/", "//", "%")
}

// power parses exponentiation, ^ or DuckDB's **: tighter than * and /, looser than a sign,
// and left-associative, as in PostgreSQL and DuckDB (-2 ^ 2 is 4, 2 ^ 3 ^ 2 is 64).
func (p *exprParser) power() (Expr, error) {
	return p.binary(p.unary, "^", "**")
}

// binary parses a left-associative chain of operands joined by any of ops.
func (p *exprParser) binary(operand func() (Expr, error), ops ...string) (Expr, error) {
	l, err := operand()
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		matched := false
		for _, op := range ops {
			matched = matched || isOp(t, op)
		}
		if !matched {
			return l, nil
		}
		if err := p.operator(t.Pos); err != nil {
			return nil, err
		}
		p.next()
		r, err := operand()
		if err != nil {
			return nil, err
		}
		l = &Binary{Pos: t.Pos, Op: t.Value, L: l, R: r}
	}
}

func (p *exprParser) unary() (Expr, error) {
	t := p.peek()
	if !isOp(t, "-") && !isOp(t, "+") {
		return p.postfix()
	}
	p.next()
	if err := p.enter(t.Pos); err != nil {
		return nil, err
	}
	defer p.leave()
	for isOp(t, "-") && isOp(p.peek(), "+") {
		// A unary + changes nothing: -+5 is -5, and prints so.
		p.next()
	}
	if n := p.peek(); isOp(t, "-") && (n.Type == tokNumber || n.Type == tokDuration) &&
		!isOp(p.peek2(), "::") {
		// Fold the sign into the literal so that the smallest BIGINT can be written. A cast
		// binds tighter than the sign, so -5::T stays -(5::T).
		p.next()
		return p.number(t.Pos, n, "-")
	}
	x, err := p.unary()
	if err != nil || t.Value == "+" {
		return x, err
	}
	return &Unary{Pos: t.Pos, Op: "-", X: x}, nil
}

func (p *exprParser) postfix() (Expr, error) {
	x, err := p.primary()
	for err == nil && isOp(p.peek(), "::") {
		t := p.next()
		if err = p.operator(t.Pos); err != nil {
			break
		}
		var typ TypeName
		if typ, err = p.typeName(); err == nil {
			x = &Cast{Pos: t.Pos, X: x, Type: typ}
		}
	}
	return x, err
}

func (p *exprParser) typeName() (TypeName, error) {
	t := p.next()
	if t.Type != tokIdent && t.Type != tokQIdent {
		return TypeName{}, errorf(t.Pos, "expected a type name, found %s", describe(t))
	}
	// Unquoted type names are case-insensitive: keep them in upper case, as printed.
	typ := TypeName{Pos: t.Pos, Name: t.Value}
	if t.Type == tokIdent {
		typ.Name = strings.ToUpper(t.Value)
	}
	if isOp(p.peek(), "(") {
		p.next()
		for !isOp(p.peek(), ")") {
			if n := p.next(); n.Type != tokNumber && !isOp(n, ",") {
				return TypeName{}, errorf(n.Pos, "expected a number in the type's parameters, "+
					"found %s", describe(n))
			}
		}
		p.next()
	}
	if typ.Name == "DOUBLE" && isWord(p.peek(), "PRECISION") {
		p.next()
		typ.Precision = true
	}
	return typ, nil
}

// number reads the number or short interval t; pos is where the literal starts (at the sign
// when there is one).
func (p *exprParser) number(pos Pos, t *lexer.Token, sign string) (Expr, error) {
	text := sign + t.Value
	if t.Type == tokDuration {
		us, err := ParseShortInterval(t.Value)
		if err != nil {
			return nil, errorf(pos, "%v", err)
		}
		if sign == "-" {
			us = -us
		}
		return &Literal{Pos: pos, Kind: LitInterval, Text: text, Micros: us}, nil
	}
	if !strings.ContainsAny(t.Value, ".eE") {
		if n, err := strconv.ParseInt(text, 10, 64); err == nil {
			return &Literal{Pos: pos, Kind: LitInt, Text: text, Int: n}, nil
		}
		return nil, errorf(pos, "integer %s is out of range for BIGINT", text)
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil {
		return nil, errorf(pos, "invalid number %s", text)
	}
	return &Literal{Pos: pos, Kind: LitFloat, Text: text, Float: f}, nil
}

func (p *exprParser) primary() (Expr, error) {
	t := p.peek()
	switch {
	case t.Type == tokNumber || t.Type == tokDuration:
		p.next()
		return p.number(t.Pos, t, "")
	case t.Type == tokString:
		p.next()
		return &Literal{Pos: t.Pos, Kind: LitString, Text: unquoteString(t.Value)}, nil
	case isKeyword(t, "TRUE"), isKeyword(t, "FALSE"):
		p.next()
		return &Literal{Pos: t.Pos, Kind: LitBool, Bool: isKeyword(t, "TRUE")}, nil
	case isKeyword(t, "NULL"):
		p.next()
		return &Literal{Pos: t.Pos, Kind: LitNull}, nil
	case isKeyword(t, "INTERVAL"):
		return p.interval()
	case isKeyword(t, "CASE"):
		return p.caseExpr()
	case isOp(t, "("):
		return p.paren()
	case isOp(t, "*"):
		p.next()
		return &Star{Pos: t.Pos}, nil
	case t.Type == tokIdent || t.Type == tokQIdent:
		return p.name()
	case isKeyword(t, "LEFT") || isKeyword(t, "RIGHT"):
		if isOp(p.peek2(), "(") {
			return p.name()
		}
	}
	if t.Type == tokKeyword {
		return nil, errorf(t.Pos, "expected an expression, found reserved word %s "+
			"(write \"%s\" in double quotes to use it as a name)", describe(t), t.Value)
	}
	return nil, errorf(t.Pos, "expected an expression, found %s", describe(t))
}

func (p *exprParser) paren() (Expr, error) {
	t := p.next()
	if isKeyword(p.peek(), "SELECT") || isKeyword(p.peek(), "WITH") {
		return nil, errorf(p.peek().Pos, "unsupported: subquery in an expression")
	}
	x, err := p.expr()
	if err != nil {
		return nil, err
	}
	if _, err := p.expect(")"); err != nil {
		return nil, err
	}
	return &Paren{Pos: t.Pos, X: x}, nil
}

func (p *exprParser) interval() (Expr, error) {
	t := p.next()
	v := p.next()
	var text string
	switch v.Type {
	case tokString:
		text = unquoteString(v.Value)
	case tokNumber:
		text = v.Value
	case tokDuration:
		us, err := ParseShortInterval(v.Value)
		if err != nil {
			return nil, errorf(v.Pos, "%v", err)
		}
		return &Literal{Pos: t.Pos, Kind: LitInterval, Text: v.Value, Micros: us}, nil
	default:
		return nil, errorf(v.Pos, "expected the interval's length as a string such as '5' "+
			"or '5 seconds', found %s", describe(v))
	}
	unit := ""
	if u := p.peek(); u.Type == tokIdent && isIntervalUnit(u.Value) {
		p.next()
		unit = u.Value
	}
	us, err := ParseInterval(text, unit)
	if err != nil {
		return nil, errorf(v.Pos, "%v", err)
	}
	written := quoteString(text)
	if unit != "" {
		written += " " + strings.ToUpper(unit)
	}
	return &Literal{Pos: t.Pos, Kind: LitInterval, Text: written, Micros: us}, nil
}

func (p *exprParser) caseExpr() (Expr, error) {
	t := p.next()
	c := &Case{Pos: t.Pos}
	if !isKeyword(p.peek(), "WHEN") {
		op, err := p.expr()
		if err != nil {
			return nil, err
		}
		c.Operand = op
	}
	for isKeyword(p.peek(), "WHEN") {
		p.next()
		cond, err := p.expr()
		if err != nil {
			return nil, err
		}
		if _, err := p.expect("THEN"); err != nil {
			return nil, err
		}
		then, err := p.expr()
		if err != nil {
			return nil, err
		}
		c.Whens = append(c.Whens, When{Cond: cond, Then: then})
	}
	if len(c.Whens) == 0 {
		return nil, errorf(p.peek().Pos, "expected WHEN in CASE, found %s", describe(p.peek()))
	}
	if isKeyword(p.peek(), "ELSE") {
		p.next()
		e, err := p.expr()
		if err != nil {
			return nil, err
		}
		c.Else = e
	}
	if _, err := p.expect("END"); err != nil {
		return nil, err
	}
	return c, nil
}

func identOf(t *lexer.Token) Ident {
	var id Ident
	_ = id.Capture([]string{t.Value})
	return id
}

// name parses a column reference, a qualified star, a typed literal or a function call.
func (p *exprParser) name() (Expr, error) {
	t := p.next()
	n := p.peek()
	switch {
	case t.Type == tokIdent && n.Type == tokString &&
		(strings.EqualFold(t.Value, "TIMESTAMP") || strings.EqualFold(t.Value, "DATE")):
		p.next()
		return &Literal{Pos: t.Pos, Kind: LitTimestamp, Text: unquoteString(n.Value)}, nil
	case t.Type == tokIdent && strings.EqualFold(t.Value, "TABLE") &&
		(n.Type == tokIdent || n.Type == tokQIdent):
		return p.tableArg(t)
	case isOp(n, "("):
		switch {
		case isWord(t, "CAST"):
			return p.cast(t)
		case isWord(t, "EXTRACT"):
			return p.extract(t)
		}
		return p.call(t)
	}
	ref := &ColumnRef{Pos: t.Pos, Parts: []Ident{identOf(t)}}
	for isOp(p.peek(), ".") {
		p.next()
		part := p.next()
		switch {
		case isOp(part, "*"):
			n := len(ref.Parts) - 1
			star := &Star{Pos: t.Pos, Qualifier: &ref.Parts[n]}
			if n > 0 {
				star.Prefix = ref.Parts[:n:n]
			}
			return star, nil
		case part.Type == tokIdent || part.Type == tokQIdent || part.Type == tokKeyword:
			ref.Parts = append(ref.Parts, identOf(part))
		default:
			return nil, errorf(part.Pos, "expected a name after \".\", found %s", describe(part))
		}
	}
	return ref, nil
}

func (p *exprParser) tableArg(t *lexer.Token) (Expr, error) {
	arg := &TableArg{Pos: t.Pos}
	arg.Name.Pos = p.peek().Pos
	for {
		part := p.next()
		if part.Type != tokIdent && part.Type != tokQIdent {
			return nil, errorf(part.Pos, "expected a name after \".\", found %s", describe(part))
		}
		arg.Name.Parts = append(arg.Name.Parts, identOf(part))
		if !isOp(p.peek(), ".") {
			break
		}
		p.next()
	}
	if isWord(p.peek(), "PARTITION") {
		p.next()
		if _, err := p.expect("BY"); err != nil {
			return nil, err
		}
		for {
			k, err := p.expr()
			if err != nil {
				return nil, err
			}
			arg.PartitionBy = append(arg.PartitionBy, k)
			if !isOp(p.peek(), ",") || !p.startsPartitionKey() {
				break
			}
			p.next()
		}
	}
	return arg, nil
}

// startsPartitionKey tells a further PARTITION BY key from the call's next argument: the next
// argument of a window table function is always DESCRIPTOR(...), while a key may be a
// column named descriptor.
func (p *exprParser) startsPartitionKey() bool {
	return !isWord(p.peek2(), "DESCRIPTOR") || !isOp(p.peekAt(3), "(")
}

func (p *exprParser) cast(t *lexer.Token) (Expr, error) {
	p.next()
	x, err := p.expr()
	if err != nil {
		return nil, err
	}
	if _, err := p.expect("AS"); err != nil {
		return nil, err
	}
	typ, err := p.typeName()
	if err != nil {
		return nil, err
	}
	if _, err := p.expect(")"); err != nil {
		return nil, err
	}
	return &Cast{Pos: t.Pos, X: x, Type: typ}, nil
}

func (p *exprParser) extract(t *lexer.Token) (Expr, error) {
	p.next()
	f := p.next()
	if f.Type != tokIdent && f.Type != tokString {
		return nil, errorf(f.Pos, "expected a field such as HOUR in EXTRACT, found %s",
			describe(f))
	}
	if _, err := p.expect("FROM"); err != nil {
		return nil, err
	}
	x, err := p.expr()
	if err != nil {
		return nil, err
	}
	if _, err := p.expect(")"); err != nil {
		return nil, err
	}
	return &Extract{Pos: t.Pos, Field: strings.ToUpper(unquoteString(f.Value)), X: x}, nil
}

func (p *exprParser) call(t *lexer.Token) (Expr, error) {
	p.next()
	c := &Call{Pos: t.Pos, Name: identOf(t)}
	if isKeyword(p.peek(), "DISTINCT") {
		p.next()
		c.Distinct = true
	}
	switch {
	case isOp(p.peek(), "*"):
		p.next()
		c.Star = true
		if _, err := p.expect(")"); err != nil {
			return nil, err
		}
	case isOp(p.peek(), ")") && !c.Distinct:
		p.next()
	default:
		if err := p.args(c); err != nil {
			return nil, err
		}
	}
	return c, p.callSuffixes(c)
}

func (p *exprParser) args(c *Call) error {
	for {
		// A reserved word may name an argument, as null does in read_csv(f, null => '-').
		n := p.peek()
		if (n.Type == tokIdent || n.Type == tokQIdent || n.Type == tokKeyword) &&
			isOp(p.peek2(), "=>") {
			p.next()
			p.next()
			v, err := p.expr()
			if err != nil {
				return err
			}
			c.Named = append(c.Named, NamedArg{Name: identOf(n), Value: v})
		} else {
			if len(c.Named) > 0 {
				return errorf(n.Pos, "a positional argument cannot follow a named one")
			}
			a, err := p.expr()
			if err != nil {
				return err
			}
			c.Args = append(c.Args, a)
		}
		t := p.next()
		if isOp(t, ")") {
			return nil
		}
		if !isOp(t, ",") {
			return errorf(t.Pos, "expected \",\" or \")\" in the arguments of %s, found %s",
				c.Name.Name, describe(t))
		}
	}
}

// callSuffixes parses WITHIN GROUP (ORDER BY ...), FILTER (WHERE ...) and OVER (...).
func (p *exprParser) callSuffixes(c *Call) error {
	if isWord(p.peek(), "WITHIN") && isKeyword(p.peek2(), "GROUP") {
		p.next()
		p.next()
		if err := p.expectSeq("(", "ORDER", "BY"); err != nil {
			return err
		}
		items, err := p.orderItems()
		if err != nil {
			return err
		}
		c.WithinGroup = items
		if _, err := p.expect(")"); err != nil {
			return err
		}
	}
	if isKeyword(p.peek(), "FILTER") {
		p.next()
		if err := p.expectSeq("(", "WHERE"); err != nil {
			return err
		}
		f, err := p.expr()
		if err != nil {
			return err
		}
		c.Filter = f
		if _, err := p.expect(")"); err != nil {
			return err
		}
	}
	if isKeyword(p.peek(), "OVER") {
		w, err := p.windowSpec()
		if err != nil {
			return err
		}
		c.Over = w
	}
	return nil
}

func (p *exprParser) orderItems() ([]OrderItem, error) {
	var items []OrderItem
	for {
		e, err := p.expr()
		if err != nil {
			return nil, err
		}
		item := OrderItem{Pos: e.Position(), Expr: e}
		if t := p.peek(); isWord(t, "DESC") || isWord(t, "ASC") {
			p.next()
			item.Desc = isWord(t, "DESC")
		}
		if isWord(p.peek(), "NULLS") {
			p.next()
			w := p.next()
			if !isWord(w, "FIRST") && !isWord(w, "LAST") {
				return nil, errorf(w.Pos, "expected FIRST or LAST after NULLS, found %s",
					describe(w))
			}
			v := strings.ToUpper(w.Value)
			item.Nulls = &v
		}
		items = append(items, item)
		if !isOp(p.peek(), ",") {
			return items, nil
		}
		p.next()
	}
}

func (p *exprParser) windowSpec() (*WindowSpec, error) {
	t := p.next()
	w := &WindowSpec{Pos: t.Pos}
	if _, err := p.expect("("); err != nil {
		return nil, err
	}
	if isWord(p.peek(), "PARTITION") {
		p.next()
		if _, err := p.expect("BY"); err != nil {
			return nil, err
		}
		for {
			k, err := p.expr()
			if err != nil {
				return nil, err
			}
			w.PartitionBy = append(w.PartitionBy, k)
			if !isOp(p.peek(), ",") {
				break
			}
			p.next()
		}
	}
	if isKeyword(p.peek(), "ORDER") {
		p.next()
		if _, err := p.expect("BY"); err != nil {
			return nil, err
		}
		items, err := p.orderItems()
		if err != nil {
			return nil, err
		}
		w.OrderBy = items
	}
	var frame []string
	for depth := 0; ; {
		n := p.next()
		switch {
		case n.EOF():
			return nil, errorf(n.Pos, "expected \")\" to close OVER (...), found end of input")
		case isOp(n, "("):
			depth++
		case isOp(n, ")") && depth == 0:
			w.Frame = strings.Join(frame, " ")
			return w, nil
		case isOp(n, ")"):
			depth--
		}
		frame = append(frame, n.Value)
	}
}

// isIntervalUnit reports whether s names a unit of INTERVAL '5' unit.
func isIntervalUnit(s string) bool {
	_, ok := intervalUnits[strings.ToLower(s)]
	return ok
}

var intervalUnits = map[string]int64{
	"microsecond": 1, "microseconds": 1, "us": 1,
	"millisecond": 1e3, "milliseconds": 1e3, "ms": 1e3,
	"second": 1e6, "seconds": 1e6, "s": 1e6, "sec": 1e6, "secs": 1e6,
	"minute": 60e6, "minutes": 60e6, "m": 60e6, "min": 60e6, "mins": 60e6,
	"hour": 3600e6, "hours": 3600e6, "h": 3600e6,
	"day": 86400e6, "days": 86400e6, "d": 86400e6,
	"week": 7 * 86400e6, "weeks": 7 * 86400e6,
}

// ParseInterval reads an interval written as INTERVAL 'text' [unit]: '5' SECOND, '5 seconds',
// '1 hour 30 minutes', '1.5' HOUR. It returns microseconds.
func ParseInterval(text, unit string) (int64, error) {
	fields := strings.Fields(text)
	if unit != "" {
		if len(fields) != 1 {
			return 0, fmt.Errorf("invalid interval %q %s", text, unit)
		}
		fields = append(fields, unit)
	}
	if len(fields) == 0 || len(fields)%2 != 0 {
		return 0, fmt.Errorf("invalid interval %q: write it as '5 seconds' or '5' SECOND", text)
	}
	var total int64
	for i := 0; i < len(fields); i += 2 {
		n, err := strconv.ParseFloat(fields[i], 64)
		if err != nil {
			return 0, fmt.Errorf("invalid interval %q: %q is not a number", text, fields[i])
		}
		mult, ok := intervalUnits[strings.ToLower(fields[i+1])]
		if !ok {
			return 0, fmt.Errorf("invalid interval %q: unknown unit %q (use microsecond, "+
				"millisecond, second, minute, hour, day or week)", text, fields[i+1])
		}
		// 2^63 is exact as a float64; anything at or past it does not fit.
		us := n * float64(mult)
		if math.IsNaN(us) || math.Abs(us) >= 1<<63 {
			return 0, fmt.Errorf("invalid interval %q: out of range", text)
		}
		v := int64(us)
		if (v > 0 && total > math.MaxInt64-v) || (v < 0 && total < math.MinInt64-v) {
			return 0, fmt.Errorf("invalid interval %q: out of range", text)
		}
		total += v
	}
	return total, nil
}

// ParseShortInterval reads the short interval form: 5s, 15m, 1h, 500ms, 1d, 250us.
func ParseShortInterval(s string) (int64, error) {
	i := strings.IndexFunc(s, func(r rune) bool { return r >= 'a' && r <= 'z' })
	if i <= 0 {
		return 0, fmt.Errorf("invalid interval %q", s)
	}
	return ParseInterval(s[:i], s[i:])
}
