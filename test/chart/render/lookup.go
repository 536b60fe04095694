// lookup: with no objects (helm template, --dry-run) it finds nothing and returns an empty map;
// with --lookup FILE it finds the objects of that file, as Helm finds them in a cluster.
package main

import (
	"encoding/json"
	"os"
)

type objectStore []map[string]interface{}

func readObjectStore(file string) (objectStore, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	documents, err := documentsOf(file, string(data))
	if err != nil {
		return nil, err
	}
	store := objectStore{}
	for _, document := range documents {
		store = append(store, document.Object)
	}
	return store, nil
}

// lookup returns the named object, or with an empty name {"items": [...]} of every match, or
// an empty map when nothing matches. An empty namespace matches every namespace.
func (s objectStore) lookup(apiVersion, kind, namespace, name string) (map[string]interface{}, error) {
	var items []interface{}
	for _, object := range s {
		metadata, _ := object["metadata"].(map[string]interface{})
		if object["apiVersion"] != apiVersion || object["kind"] != kind {
			continue
		}
		if namespace != "" && metadata["namespace"] != namespace {
			continue
		}
		if name == "" {
			items = append(items, deepCopy(object))
		} else if metadata["name"] == name {
			return deepCopy(object).(map[string]interface{}), nil
		}
	}
	if name == "" && len(items) > 0 {
		return map[string]interface{}{"apiVersion": apiVersion, "kind": kind + "List", "items": items}, nil
	}
	return map[string]interface{}{}, nil
}

func deepCopy(value interface{}) interface{} {
	data, _ := json.Marshal(value)
	var copied interface{}
	_ = json.Unmarshal(data, &copied)
	return copied
}
