{{/* The webhooks of one configuration, from the map in values (.webhooks), called with .root, .verb (validate | mutate) and .caBundle. */}}

{{- define "meshward.webhooks" -}}
{{- $root := .root -}}
{{- range $key, $webhook := .webhooks }}
- name: {{ $key }}.{{ $.verb }}.meshward.dev
  admissionReviewVersions: ["v1"]
  clientConfig:
    service:
      name: {{ include "meshward.fullname" $root }}
      namespace: {{ $root.Release.Namespace }}
      path: /{{ $.verb }}
      port: 443
    {{- with $.caBundle }}
    caBundle: {{ . }}
    {{- end }}
  failurePolicy: {{ required (printf "webhooks.*.%s.failurePolicy is required" $key) $webhook.failurePolicy }}
  matchPolicy: Equivalent
  namespaceSelector:
    {{- include "meshward.namespaceSelector" (dict "root" $root "meshRootOnly" $webhook.meshRootNamespaceOnly) | nindent 4 }}
  objectSelector:
    {{- toYaml ($root.Values.webhooks.objectSelector | default dict) | nindent 4 }}
  {{- if eq $.verb "mutate" }}
  reinvocationPolicy: {{ $webhook.reinvocationPolicy | default "IfNeeded" }}
  {{- end }}
  rules:
    {{- required (printf "webhooks.*.%s.rules is required" $key) $webhook.rules | toYaml | nindent 4 }}
  sideEffects: None
  timeoutSeconds: {{ $root.Values.webhooks.timeoutSeconds }}
{{- end }}
{{- end -}}

{{/* The user's namespaceSelector with the release namespace, kube-system and kube-node-lease always excluded;
     called with .root and .meshRootOnly (true: only the mesh root namespace matches). */}}
{{- define "meshward.namespaceSelector" -}}
{{- $root := .root -}}
{{- $user := $root.Values.webhooks.namespaceSelector | default dict -}}
{{- $excluded := list $root.Release.Namespace "kube-system" "kube-node-lease" | uniq -}}
{{- $exclusion := dict "key" "kubernetes.io/metadata.name" "operator" "NotIn" "values" $excluded -}}
{{- $expressions := prepend ($user.matchExpressions | default list) $exclusion -}}
{{- if .meshRootOnly -}}
{{- $only := dict "key" "kubernetes.io/metadata.name" "operator" "In" "values" (list (include "meshward.meshRootNamespace" $root)) -}}
{{- $expressions = append $expressions $only -}}
{{- end -}}
{{- $selector := dict "matchExpressions" $expressions -}}
{{- with $user.matchLabels -}}
{{- $_ := set $selector "matchLabels" . -}}
{{- end -}}
{{- toYaml $selector -}}
{{- end -}}
