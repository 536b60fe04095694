// Rendered templates -> Kubernetes documents: split on "---" the way Helm splits a manifest,
// and parse each document strictly (a duplicate key is an error, as it is for the API server).
package main

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"sigs.k8s.io/yaml"
)

var documentSeparator = regexp.MustCompile(`(?:^|\s*\n)---\s*`)

// Document is one Kubernetes object of the rendered chart and the template it came from.
type Document struct {
	Source string                 `json:"source"`
	Text   string                 `json:"-"`
	Object map[string]interface{} `json:"object"`
}

// parseDocument returns the object of one YAML document, or nil when the document holds only
// whitespace or comments.
func parseDocument(text string) (map[string]interface{}, error) {
	if strings.TrimSpace(text) == "" {
		return nil, nil
	}
	converted, err := yaml.YAMLToJSONStrict([]byte(text))
	if err != nil {
		return nil, err
	}
	var parsed interface{}
	if err := json.Unmarshal(converted, &parsed); err != nil {
		return nil, err
	}
	if parsed == nil {
		return nil, nil
	}
	object, isObject := parsed.(map[string]interface{})
	if !isObject {
		return nil, fmt.Errorf("a document is a %T, not an object", parsed)
	}
	if object["apiVersion"] == nil || object["kind"] == nil {
		return nil, fmt.Errorf("a document has no apiVersion or kind")
	}
	return object, nil
}

// documentsOf parses every document of a rendered template (source names it in errors).
func documentsOf(source, text string) ([]Document, error) {
	var documents []Document
	for index, part := range documentSeparator.Split(text, -1) {
		object, err := parseDocument(part)
		if err != nil {
			return nil, fmt.Errorf("YAML parse error on %s (document %d): %w", source, index+1, err)
		}
		if object != nil {
			documents = append(documents, Document{Source: source, Text: strings.TrimSpace(part), Object: object})
		}
	}
	return documents, nil
}
