//go:build !lean

package envdef

import (
	"fmt"
	"slices"

	"github.com/secrun/secrun/internal/yamlnode"
)

// appSourceLists reads the environment_sources lists of a config.yaml by the names of their
// configurations: configs: NAME: config: environment_sources: [...]. Other members are not
// read; null is as absent; a list's items are the text of scalars (null is ""); aliases and
// merge keys are followed, a mapping's own members first.
func appSourceLists(data []byte) (map[string][]string, error) {
	top, err := yamlnode.Parse(data, MaxDepth)
	if err != nil {
		return nil, err
	}
	lists := map[string][]string{}
	configs, err := appMember(top, "configs")
	if configs == nil || err != nil {
		return lists, err
	}
	if configs.Kind != yamlnode.Mapping {
		return nil, fmt.Errorf("line %d: configs must be a mapping of names to configurations, not %s", configs.Line, kindName(configs))
	}
	var names []string
	for j, m := range append([]*yamlnode.Node{configs}, mergeBases(configs)...) {
		for i := 0; i+1 < len(m.Content); i += 2 {
			k := deref(m.Content[i])
			switch {
			case k.Kind != yamlnode.Scalar:
				return nil, fmt.Errorf("line %d: a configuration's name must be a plain name, not %s", k.Line, kindName(k))
			case k.Tag == "!!merge":
			case j == 0 && slices.Contains(names, k.Value):
				return nil, fmt.Errorf("line %d: configuration %q is given twice", k.Line, k.Value)
			case !slices.Contains(names, k.Value):
				names = append(names, k.Value)
			}
		}
	}
	for _, name := range names {
		_, v := yamlMember(configs, name)
		cfg, err := appMember(v, "config")
		if err != nil {
			return nil, err
		}
		l, err := appMember(cfg, "environment_sources")
		if err != nil {
			return nil, err
		}
		lists[name] = nil
		if l == nil {
			continue
		}
		if l.Kind != yamlnode.Sequence {
			return nil, fmt.Errorf("line %d: environment_sources must be a list, not %s", l.Line, kindName(l))
		}
		for _, s := range l.Content {
			path := ""
			switch s = deref(s); {
			case s.Kind != yamlnode.Scalar:
				return nil, fmt.Errorf("line %d: an environment source must be a path, not %s", s.Line, kindName(s))
			case !isNull(s):
				path = s.Value
			}
			lists[name] = append(lists[name], path)
		}
	}
	return lists, nil
}

// appMember is member k of m, a mapping or null; nil if m or the member is null or absent.
func appMember(m *yamlnode.Node, k string) (*yamlnode.Node, error) {
	if m == nil || isNull(deref(m)) {
		return nil, nil
	}
	if m = deref(m); m.Kind != yamlnode.Mapping {
		return nil, fmt.Errorf("line %d: expected a mapping with %s, not %s", m.Line, k, kindName(m))
	}
	_, v := yamlMember(m, k)
	if v == nil || isNull(v) {
		return nil, nil
	}
	return v, nil
}
