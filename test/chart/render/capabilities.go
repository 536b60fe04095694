// .Capabilities: the Kubernetes version and API versions a chart is rendered for.
package main

import (
	"fmt"

	"github.com/Masterminds/semver"
)

type Capabilities struct {
	KubeVersion KubeVersion
	APIVersions VersionSet
}

type KubeVersion struct {
	Version string
	Major   string
	Minor   string
}

func (v KubeVersion) String() string { return v.Version }

// GitVersion is the deprecated name Helm keeps for Version.
func (v KubeVersion) GitVersion() string { return v.Version }

// VersionSet holds "group/version" (and "group/version/Kind") strings.
type VersionSet []string

func (s VersionSet) Has(apiVersion string) bool {
	for _, candidate := range s {
		if candidate == apiVersion {
			return true
		}
	}
	return false
}

// builtinAPIVersions are the API versions every supported cluster serves.
var builtinAPIVersions = []string{
	"v1",
	"admissionregistration.k8s.io/v1",
	"apiextensions.k8s.io/v1",
	"apps/v1",
	"authentication.k8s.io/v1",
	"authorization.k8s.io/v1",
	"autoscaling/v1",
	"autoscaling/v2",
	"batch/v1",
	"certificates.k8s.io/v1",
	"coordination.k8s.io/v1",
	"discovery.k8s.io/v1",
	"events.k8s.io/v1",
	"networking.k8s.io/v1",
	"node.k8s.io/v1",
	"policy/v1",
	"rbac.authorization.k8s.io/v1",
	"scheduling.k8s.io/v1",
	"storage.k8s.io/v1",
}

func newCapabilities(kubeVersion string, extraAPIVersions []string) (Capabilities, error) {
	version, err := semver.NewVersion(kubeVersion)
	if err != nil {
		return Capabilities{}, fmt.Errorf("--kube-version %q: %w", kubeVersion, err)
	}
	apiVersions := append(append(VersionSet{}, builtinAPIVersions...), extraAPIVersions...)
	return Capabilities{
		KubeVersion: KubeVersion{
			Version: "v" + version.String(),
			Major:   fmt.Sprint(version.Major()),
			Minor:   fmt.Sprint(version.Minor()),
		},
		APIVersions: apiVersions,
	}, nil
}
