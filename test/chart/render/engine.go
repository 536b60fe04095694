// The template engine as Helm 3 runs it: Go text/template with sprig (minus env/expandenv) and
// Helm's own functions (include, tpl, required, lookup, toYaml, fromYaml, ...), missing keys
// rendering as empty, partials (_*.tpl) defining templates without rendering.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig"
	"sigs.k8s.io/yaml"
)

const maxIncludeDepth = 1000

// Release is .Release.
type Release struct {
	Name      string
	Namespace string
	IsInstall bool
	IsUpgrade bool
	Revision  int
	Service   string
}

type engine struct {
	templates    *template.Template
	lookup       objectStore
	includeDepth int
}

// renderChart returns the output of every non-partial template, by template name
// ("<chart>/templates/<file>").
func renderChart(chart *Chart, values map[string]interface{}, release Release, capabilities Capabilities,
	lookup objectStore) (map[string]string, error) {
	e := &engine{lookup: lookup}
	e.templates = template.New("gotpl").Option("missingkey=zero").Funcs(e.funcMap())
	for _, file := range chart.Templates {
		name := path.Join(chart.Metadata.Name, file.Name)
		if _, err := e.templates.New(name).Parse(string(file.Data)); err != nil {
			return nil, err
		}
	}
	rendered := map[string]string{}
	for _, file := range chart.Templates {
		if strings.HasPrefix(path.Base(file.Name), "_") {
			continue
		}
		name := path.Join(chart.Metadata.Name, file.Name)
		top := map[string]interface{}{
			"Values":       values,
			"Release":      release,
			"Chart":        chart.Metadata,
			"Capabilities": capabilities,
			"Files":        chart.Files,
			"Template":     map[string]interface{}{"Name": name, "BasePath": path.Join(chart.Metadata.Name, "templates")},
		}
		var out strings.Builder
		if err := e.templates.ExecuteTemplate(&out, name, top); err != nil {
			return nil, err
		}
		rendered[name] = strings.ReplaceAll(out.String(), "<no value>", "")
	}
	return rendered, nil
}

func (e *engine) funcMap() template.FuncMap {
	functions := sprig.TxtFuncMap()
	delete(functions, "env")
	delete(functions, "expandenv")
	functions["include"] = e.include
	functions["tpl"] = e.tpl
	functions["required"] = required
	functions["lookup"] = e.lookupObject
	functions["toYaml"] = toYaml
	functions["fromYaml"] = fromYaml
	functions["fromYamlArray"] = fromYamlArray
	functions["toJson"] = toJSON
	functions["fromJson"] = fromJSON
	functions["fromJsonArray"] = fromJSONArray
	return functions
}

func (e *engine) include(name string, data interface{}) (string, error) {
	if e.includeDepth >= maxIncludeDepth {
		return "", fmt.Errorf("rendering template %q has a nested reference depth over %d", name, maxIncludeDepth)
	}
	e.includeDepth++
	defer func() { e.includeDepth-- }()
	var out strings.Builder
	err := e.templates.ExecuteTemplate(&out, name, data)
	return out.String(), err
}

// tpl renders text as a template that sees every template of the chart.
func (e *engine) tpl(text string, data interface{}) (string, error) {
	clone, err := e.templates.Clone()
	if err != nil {
		return "", err
	}
	parsed, err := clone.New("tpl").Parse(text)
	if err != nil {
		return "", fmt.Errorf("cannot parse template %q: %w", text, err)
	}
	var out strings.Builder
	if err := parsed.Execute(&out, data); err != nil {
		return "", fmt.Errorf("error during tpl function execution for %q: %w", text, err)
	}
	return strings.ReplaceAll(out.String(), "<no value>", ""), nil
}

func (e *engine) lookupObject(apiVersion, kind, namespace, name string) (map[string]interface{}, error) {
	return e.lookup.lookup(apiVersion, kind, namespace, name)
}

func required(message string, value interface{}) (interface{}, error) {
	if value == nil {
		return value, errors.New(message)
	}
	if text, isString := value.(string); isString && text == "" {
		return value, errors.New(message)
	}
	return value, nil
}

// toYaml is sigs.k8s.io/yaml without the final newline; a value it cannot encode renders as "".
func toYaml(value interface{}) string {
	data, err := yaml.Marshal(value)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(string(data), "\n")
}

func fromYaml(text string) map[string]interface{} {
	parsed := map[string]interface{}{}
	if err := yaml.Unmarshal([]byte(text), &parsed); err != nil {
		parsed["Error"] = err.Error()
	}
	return parsed
}

func fromYamlArray(text string) []interface{} {
	var parsed []interface{}
	if err := yaml.Unmarshal([]byte(text), &parsed); err != nil {
		parsed = []interface{}{err.Error()}
	}
	return parsed
}

func toJSON(value interface{}) string {
	data, err := json.Marshal(value)
	if err != nil {
		return ""
	}
	return string(data)
}

func fromJSON(text string) map[string]interface{} {
	parsed := map[string]interface{}{}
	if err := json.Unmarshal([]byte(text), &parsed); err != nil {
		parsed["Error"] = err.Error()
	}
	return parsed
}

func fromJSONArray(text string) []interface{} {
	var parsed []interface{}
	if err := json.Unmarshal([]byte(text), &parsed); err != nil {
		parsed = []interface{}{err.Error()}
	}
	return parsed
}
