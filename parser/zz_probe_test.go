package parser

import (
	"bufio"
	"fmt"
	"os"
	"testing"
)

func TestZZProbe(t *testing.T) {
	f, err := os.Open("/tmp/probe/in.sql")
	if err != nil {
		t.Skip()
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			continue
		}
		mode := line[:2]
		src := line[2:]
		if mode == "E " {
			e, err := ParseExpr(src)
			if err != nil {
				fmt.Printf("%-50s => ERR %v\n", src, err)
				continue
			}
			fmt.Printf("%-50s => %s   %#v\n", src, e.String(), e)
		} else {
			ss, err := Parse(src)
			if err != nil {
				fmt.Printf("%-50s => ERR %v\n", src, err)
				continue
			}
			for _, s := range ss {
				if s.Query != nil {
					fmt.Printf("%-50s => %s\n", src, s.Query.String())
				} else {
					fmt.Printf("%-50s => %+v\n", src, *s)
				}
			}
		}
	}
}
