// Loads a chart directory the way Helm's loader does: Chart.yaml, values.yaml, the templates,
// and every other file as .Files.
package main

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/Masterminds/semver"
	"sigs.k8s.io/yaml"
)

// Metadata is Chart.yaml, exposed to templates as .Chart (field names as in Helm).
type Metadata struct {
	APIVersion  string            `json:"apiVersion"`
	Name        string            `json:"name"`
	Version     string            `json:"version"`
	KubeVersion string            `json:"kubeVersion,omitempty"`
	Description string            `json:"description,omitempty"`
	Type        string            `json:"type,omitempty"`
	Keywords    []string          `json:"keywords,omitempty"`
	Home        string            `json:"home,omitempty"`
	Sources     []string          `json:"sources,omitempty"`
	Maintainers []Maintainer      `json:"maintainers,omitempty"`
	Icon        string            `json:"icon,omitempty"`
	AppVersion  string            `json:"appVersion,omitempty"`
	Deprecated  bool              `json:"deprecated,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

type Maintainer struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
	URL   string `json:"url,omitempty"`
}

// ChartFile is one file of the chart, named by its slash-separated path inside the chart.
type ChartFile struct {
	Name string
	Data []byte
}

type Chart struct {
	Metadata  Metadata
	Values    map[string]interface{}
	Templates []ChartFile
	Files     Files
}

func loadChart(dir string) (*Chart, error) {
	chart := &Chart{Values: map[string]interface{}{}, Files: Files{}}
	seenChartYaml := false
	err := filepath.WalkDir(dir, func(file string, entry fs.DirEntry, walkErr error) error {
		if walkErr != nil {
			return walkErr
		}
		if entry.IsDir() {
			return nil
		}
		relative, err := filepath.Rel(dir, file)
		if err != nil {
			return err
		}
		name := filepath.ToSlash(relative)
		data, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		switch {
		case name == "Chart.yaml":
			seenChartYaml = true
			if err := yaml.UnmarshalStrict(data, &chart.Metadata); err != nil {
				return fmt.Errorf("Chart.yaml: %w", err)
			}
		case name == "values.yaml":
			if err := yaml.Unmarshal(data, &chart.Values); err != nil {
				return fmt.Errorf("values.yaml: %w", err)
			}
		case strings.HasPrefix(name, "charts/") || name == "Chart.lock" || name == "values.schema.json":
			return fmt.Errorf("%s: subcharts and values schemas are not supported by this renderer", name)
		case strings.HasPrefix(name, "templates/"):
			chart.Templates = append(chart.Templates, ChartFile{Name: name, Data: data})
		default:
			chart.Files[name] = data
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if !seenChartYaml {
		return nil, fmt.Errorf("%s has no Chart.yaml", dir)
	}
	if chart.Values == nil {
		chart.Values = map[string]interface{}{}
	}
	sort.Slice(chart.Templates, func(i, j int) bool { return chart.Templates[i].Name < chart.Templates[j].Name })
	return chart, validateMetadata(chart.Metadata)
}

func validateMetadata(metadata Metadata) error {
	if metadata.APIVersion != "v2" {
		return fmt.Errorf("Chart.yaml: apiVersion must be v2, not %q", metadata.APIVersion)
	}
	if metadata.Name == "" || metadata.Name != path.Base(metadata.Name) {
		return fmt.Errorf("Chart.yaml: invalid chart name %q", metadata.Name)
	}
	if _, err := semver.StrictNewVersion(metadata.Version); err != nil {
		return fmt.Errorf("Chart.yaml: version %q is not SemVer 2: %w", metadata.Version, err)
	}
	if metadata.Type != "" && metadata.Type != "application" {
		return fmt.Errorf("Chart.yaml: type %q cannot be installed", metadata.Type)
	}
	return nil
}

// checkKubeVersion refuses a cluster version outside Chart.yaml's kubeVersion range, as Helm does.
func checkKubeVersion(metadata Metadata, kubeVersion string) error {
	if metadata.KubeVersion == "" {
		return nil
	}
	constraint, err := semver.NewConstraint(metadata.KubeVersion)
	if err != nil {
		return fmt.Errorf("Chart.yaml: kubeVersion %q: %w", metadata.KubeVersion, err)
	}
	version, err := semver.NewVersion(kubeVersion)
	if err != nil {
		return fmt.Errorf("kube version %q: %w", kubeVersion, err)
	}
	if !constraint.Check(version) {
		return fmt.Errorf("chart requires kubeVersion: %s which is incompatible with Kubernetes %s", metadata.KubeVersion, kubeVersion)
	}
	return nil
}
