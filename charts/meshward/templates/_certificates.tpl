{{/* The webhook's TLS material for the configured certificate mode, as YAML: caBundle (base64 PEM; empty when cert-manager injects it) and, in generate mode, the serving pair (base64 PEM). */}}

{{- define "meshward.tls" -}}
{{- $mode := .Values.certificates.mode -}}
{{- if eq $mode "generate" -}}
{{- include "meshward.generatedTls" . -}}
{{- else if eq $mode "certManager" -}}
caBundle: ""
{{- else if eq $mode "existingSecret" -}}
caBundle: {{ required "certificates.existingSecret.caBundle (base64 PEM CA) is required when certificates.mode is existingSecret" .Values.certificates.existingSecret.caBundle | quote }}
{{- else -}}
{{- fail (printf "certificates.mode %q is not one of generate, certManager, existingSecret" $mode) -}}
{{- end -}}
{{- end -}}

{{/* The Secret of an earlier install when it holds a complete pair (so the caBundle stays put), else a new CA and serving certificate. */}}
{{- define "meshward.generatedTls" -}}
{{- $existing := lookup "v1" "Secret" .Release.Namespace (include "meshward.tlsSecretName" .) -}}
{{- $data := dig "data" dict $existing -}}
{{- if and (get $data "ca.crt") (get $data "tls.crt") (get $data "tls.key") -}}
caBundle: {{ get $data "ca.crt" | quote }}
tlsCrt: {{ get $data "tls.crt" | quote }}
tlsKey: {{ get $data "tls.key" | quote }}
{{- else -}}
{{- $days := int .Values.certificates.generate.validityDays -}}
{{- $ca := genCA (printf "%s-ca" (include "meshward.fullname" .)) $days -}}
{{- $dnsNames := include "meshward.serviceDnsNames" . | fromYamlArray -}}
{{- $serving := genSignedCert (index $dnsNames 2) nil $dnsNames $days $ca -}}
caBundle: {{ $ca.Cert | b64enc | quote }}
tlsCrt: {{ $serving.Cert | b64enc | quote }}
tlsKey: {{ $serving.Key | b64enc | quote }}
{{- end -}}
{{- end -}}
