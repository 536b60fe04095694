// Values as Helm computes them: the chart's values.yaml, coalesced with -f files and --set
// assignments (later wins; maps merge key by key; a null removes a default).
package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"sigs.k8s.io/yaml"
)

func readValuesFile(file string) (map[string]interface{}, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	values := map[string]interface{}{}
	if err := yaml.Unmarshal(data, &values); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return values, nil
}

// coalesce returns base with override laid over it; neither argument is modified.
func coalesce(base, override map[string]interface{}) map[string]interface{} {
	result := make(map[string]interface{}, len(base)+len(override))
	for key, value := range base {
		result[key] = value
	}
	for key, value := range override {
		if value == nil {
			delete(result, key)
			continue
		}
		baseMap, baseIsMap := result[key].(map[string]interface{})
		overrideMap, overrideIsMap := value.(map[string]interface{})
		if baseIsMap && overrideIsMap {
			result[key] = coalesce(baseMap, overrideMap)
		} else {
			result[key] = value
		}
	}
	return result
}

// parseSet turns "a.b.c=value" into {a: {b: {c: value}}}. Like helm --set, the value is typed
// (true/false, null, integers) unless asString; list indexes are not supported.
func parseSet(assignment string, asString bool) (map[string]interface{}, error) {
	key, raw, found := strings.Cut(assignment, "=")
	if !found || key == "" {
		return nil, fmt.Errorf("--set %q: expected KEY=VALUE", assignment)
	}
	if strings.ContainsAny(key, "[]\\") {
		return nil, fmt.Errorf("--set %q: list indexes and escapes are not supported; use -f", assignment)
	}
	var value interface{} = raw
	if !asString {
		value = typedValue(raw)
	}
	path := strings.Split(key, ".")
	for i := len(path) - 1; i >= 0; i-- {
		if path[i] == "" {
			return nil, fmt.Errorf("--set %q: empty key segment", assignment)
		}
		value = map[string]interface{}{path[i]: value}
	}
	return value.(map[string]interface{}), nil
}

func typedValue(raw string) interface{} {
	switch raw {
	case "true":
		return true
	case "false":
		return false
	case "null":
		return nil
	}
	if raw == "0" || (raw != "" && raw[0] != '0' && raw[0] != '+') {
		if number, err := strconv.ParseInt(raw, 10, 64); err == nil {
			return number
		}
	}
	return raw
}
