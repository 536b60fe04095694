{{/* Names and labels shared by every object of the release. */}}

{{- define "meshward.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "meshward.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "meshward.selectorLabels" -}}
app.kubernetes.io/name: {{ include "meshward.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "meshward.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "meshward.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "meshward.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) -}}
{{- end -}}

{{/* The webhook Service's DNS names; the serving certificate must cover <service>.<namespace>.svc. */}}
{{- define "meshward.serviceDnsNames" -}}
{{- $service := include "meshward.fullname" . -}}
{{- $namespace := .Release.Namespace -}}
{{- list $service (printf "%s.%s" $service $namespace) (printf "%s.%s.svc" $service $namespace) (printf "%s.%s.svc.cluster.local" $service $namespace) | toYaml -}}
{{- end -}}

{{- define "meshward.tlsSecretName" -}}
{{- if eq .Values.certificates.mode "existingSecret" -}}
{{- required "certificates.existingSecret.name is required when certificates.mode is existingSecret" .Values.certificates.existingSecret.name -}}
{{- else -}}
{{- printf "%s-tls" (include "meshward.fullname" .) -}}
{{- end -}}
{{- end -}}

{{- define "meshward.mutatingConfigurationName" -}}
{{- $name := .Values.webhooks.mutatingConfigurationName | default (printf "00-%s" (include "meshward.fullname" .)) -}}
{{- if not (lt $name "istio-") -}}
{{- fail (printf "webhooks.mutatingConfigurationName %q must sort before \"istio-\" so meshward's defaults reach Istio's sidecar injector" $name) -}}
{{- end -}}
{{- $name -}}
{{- end -}}
