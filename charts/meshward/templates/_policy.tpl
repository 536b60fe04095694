{{/* The policy the server runs: files/default-policy.yaml verbatim, or with .Values.policy deep-merged into it. */}}

{{- define "meshward.policy" -}}
{{- $default := .Files.Get "files/default-policy.yaml" -}}
{{- if not $default -}}
{{- fail "files/default-policy.yaml is missing from the chart" -}}
{{- end -}}
{{- if empty .Values.policy -}}
{{- $default -}}
{{- else -}}
{{- $policy := fromYaml $default -}}
{{- include "meshward.mergeInto" (dict "base" $policy "override" .Values.policy) -}}
{{- toYaml $policy -}}
{{- end -}}
{{- end -}}

{{/* Merges .override into .base in place: maps key by key, anything else replaces. Renders nothing. */}}
{{- define "meshward.mergeInto" -}}
{{- $base := .base -}}
{{- range $key, $value := .override -}}
{{- $current := get $base $key -}}
{{- if and (kindIs "map" $value) (kindIs "map" $current) -}}
{{- include "meshward.mergeInto" (dict "base" $current "override" $value) -}}
{{- else -}}
{{- $_ := set $base $key $value -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "meshward.meshRootNamespace" -}}
{{- (include "meshward.policy" . | fromYaml).meshRootNamespace | default "istio-system" -}}
{{- end -}}
