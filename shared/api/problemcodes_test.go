package api

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/fidelio/fidelio/shared/openapi"
)

// TestEveryProblemCodeIsDocumented holds the ProblemCode enumeration of
// openapi.json to the codes this package answers, both ways. The codes are
// read from the source: a clientError's, a badRequest's, a domainProblems
// entry's and writeProblem's own.
func TestEveryProblemCodeIsDocumented(t *testing.T) {
	var doc struct {
		Components struct {
			Schemas struct {
				ProblemCode struct {
					Enum []string `json:"enum"`
				} `json:"ProblemCode"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openapi.Document, &doc); err != nil {
		t.Fatal(err)
	}
	documented := doc.Components.Schemas.ProblemCode.Enum
	answered := answeredCodes(t)
	for code := range answered {
		if !slices.Contains(documented, code) {
			t.Errorf("problem code %q is answered but not in openapi.json's ProblemCode", code)
		}
	}
	for _, code := range documented {
		if !answered[code] {
			t.Errorf("openapi.json's ProblemCode lists %q, which nothing answers", code)
		}
	}
}

// answeredCodes finds every problem code in the package's source.
func answeredCodes(t *testing.T) map[string]bool {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]bool{}
	literal := func(e ast.Expr) {
		if lit, ok := e.(*ast.BasicLit); ok && lit.Kind == token.STRING {
			s, _ := strconv.Unquote(lit.Value)
			codes[s] = true
		}
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CompositeLit:
				if id, ok := n.Type.(*ast.Ident); ok && id.Name == "clientError" && len(n.Elts) > 1 {
					literal(n.Elts[1])
				}
				// domainProblems' entries: {err, status, code}.
				if n.Type == nil && len(n.Elts) == 3 {
					if sel, ok := n.Elts[1].(*ast.SelectorExpr); ok && strings.HasPrefix(sel.Sel.Name, "Status") {
						literal(n.Elts[2])
					}
				}
			case *ast.CallExpr:
				if id, ok := n.Fun.(*ast.Ident); ok && id.Name == "badRequest" && len(n.Args) > 0 {
					literal(n.Args[0])
				}
			case *ast.AssignStmt:
				// writeProblem's p.Status, p.Code, p.Detail = …, and p := problem{Code: …}.
				for i, lhs := range n.Lhs {
					if sel, ok := lhs.(*ast.SelectorExpr); ok && sel.Sel.Name == "Code" && i < len(n.Rhs) {
						literal(n.Rhs[i])
					}
				}
			case *ast.KeyValueExpr:
				if id, ok := n.Key.(*ast.Ident); ok && id.Name == "Code" {
					literal(n.Value)
				}
			}
			return true
		})
	}
	return codes
}
