package stack

import (
	"fmt"
	"slices"
	"strings"

	"github.com/fidelio/fidelio/infra/template"
)

// servedRoute is one HTTP route of the template and the function serving it.
type servedRoute struct {
	Method, Path, Function string
}

// loadRoutes reads the routes the template declares: a route it does not
// declare is not served locally either.
func loadRoutes(path string) ([]servedRoute, error) {
	t, err := template.Load(path)
	if err != nil {
		return nil, err
	}
	var out []servedRoute
	for _, f := range t.Functions {
		for _, r := range f.Routes {
			out = append(out, servedRoute{Method: r.Method, Path: r.Path, Function: f.Dir})
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s declares no HTTP routes", path)
	}
	slices.SortFunc(out, func(a, b servedRoute) int { return strings.Compare(a.Path+a.Method, b.Path+b.Method) })
	return out, nil
}
