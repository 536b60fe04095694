// render: `helm template` for the tests, on the same Go text/template + sprig engine Helm uses,
// because Helm itself cannot be installed here. Prints the chart's documents as YAML (like
// helm template) or as JSON ({"documents": [{"source", "object"}], "notes": "..."}, every
// document parsed); exits 1 with the error when the chart does not render.
//
//	render [-name RELEASE] [-namespace NS] [-f VALUES]... [-set K=V]... [-set-string K=V]...
//	       [-api-versions GROUP/VERSION]... [-kube-version V] [-lookup OBJECTS] [-o yaml|json] CHART_DIR
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path"
	"sort"
	"strings"
)

type repeated []string

func (r *repeated) String() string { return strings.Join(*r, ",") }

func (r *repeated) Set(value string) error {
	*r = append(*r, value)
	return nil
}

// valueSource is one -f, -set or -set-string argument, kept in command-line order.
type valueSource struct {
	kind  string
	value string
}

type orderedValues struct {
	kind    string
	sources *[]valueSource
}

func (o orderedValues) String() string { return "" }

func (o orderedValues) Set(value string) error {
	*o.sources = append(*o.sources, valueSource{o.kind, value})
	return nil
}

type options struct {
	chartDir    string
	releaseName string
	namespace   string
	sources     []valueSource
	apiVersions repeated
	kubeVersion string
	lookupFile  string
	output      string
}

func parseOptions(arguments []string) (options, error) {
	var opts options
	flags := flag.NewFlagSet("render", flag.ContinueOnError)
	flags.StringVar(&opts.releaseName, "name", "meshward", "release name")
	flags.StringVar(&opts.namespace, "namespace", "default", "release namespace")
	flags.Var(orderedValues{"file", &opts.sources}, "f", "values file (repeatable; later wins)")
	flags.Var(orderedValues{"set", &opts.sources}, "set", "KEY=VALUE, typed like helm --set (repeatable)")
	flags.Var(orderedValues{"set-string", &opts.sources}, "set-string", "KEY=VALUE, always a string (repeatable)")
	flags.Var(&opts.apiVersions, "api-versions", "an API version the cluster serves besides the built-in ones (repeatable)")
	flags.StringVar(&opts.kubeVersion, "kube-version", "v1.29.0", "the cluster's Kubernetes version")
	flags.StringVar(&opts.lookupFile, "lookup", "", "YAML/JSON documents that lookup finds (default: lookup finds nothing)")
	flags.StringVar(&opts.output, "o", "yaml", "yaml or json")
	if err := flags.Parse(arguments); err != nil {
		return opts, err
	}
	if flags.NArg() != 1 {
		return opts, fmt.Errorf("expected one chart directory, got %d arguments", flags.NArg())
	}
	if opts.output != "yaml" && opts.output != "json" {
		return opts, fmt.Errorf("-o must be yaml or json, not %q", opts.output)
	}
	opts.chartDir = flags.Arg(0)
	return opts, nil
}

func userValues(chart *Chart, sources []valueSource) (map[string]interface{}, error) {
	values := chart.Values
	for _, source := range sources {
		var layer map[string]interface{}
		var err error
		switch source.kind {
		case "file":
			layer, err = readValuesFile(source.value)
		default:
			layer, err = parseSet(source.value, source.kind == "set-string")
		}
		if err != nil {
			return nil, err
		}
		values = coalesce(values, layer)
	}
	return values, nil
}

func run(opts options) (string, error) {
	chart, err := loadChart(opts.chartDir)
	if err != nil {
		return "", err
	}
	capabilities, err := newCapabilities(opts.kubeVersion, opts.apiVersions)
	if err != nil {
		return "", err
	}
	if err := checkKubeVersion(chart.Metadata, capabilities.KubeVersion.Version); err != nil {
		return "", err
	}
	values, err := userValues(chart, opts.sources)
	if err != nil {
		return "", err
	}
	store := objectStore{}
	if opts.lookupFile != "" {
		if store, err = readObjectStore(opts.lookupFile); err != nil {
			return "", err
		}
	}
	release := Release{Name: opts.releaseName, Namespace: opts.namespace, IsInstall: true, Revision: 1, Service: "Helm"}
	rendered, err := renderChart(chart, values, release, capabilities, store)
	if err != nil {
		return "", err
	}
	names := make([]string, 0, len(rendered))
	for name := range rendered {
		names = append(names, name)
	}
	sort.Strings(names)
	documents := []Document{}
	notes := ""
	for _, name := range names {
		if path.Base(name) == "NOTES.txt" {
			notes = rendered[name]
			continue
		}
		parsed, err := documentsOf(name, rendered[name])
		if err != nil {
			return "", err
		}
		documents = append(documents, parsed...)
	}
	if opts.output == "json" {
		data, err := json.MarshalIndent(map[string]interface{}{"documents": documents, "notes": notes}, "", "  ")
		return string(data) + "\n", err
	}
	var out strings.Builder
	for _, document := range documents {
		fmt.Fprintf(&out, "---\n# Source: %s\n%s\n", document.Source, document.Text)
	}
	return out.String(), nil
}

func main() {
	opts, err := parseOptions(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "render:", err)
		os.Exit(2)
	}
	output, err := run(opts)
	if err != nil {
		fmt.Fprintln(os.Stderr, "render:", err)
		os.Exit(1)
	}
	fmt.Print(output)
}
